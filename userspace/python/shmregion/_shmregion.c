// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * shmregion._shmregion: the Python binding's C part, a thin layer over
 * libshmregion (userspace/lib/libshmregion.h). The package's __init__.py
 * adds the asyncio parts in Python.
 *
 * One Region object owns one struct shmr. It exports the region's bytes
 * through the buffer protocol (read-only after a read-only attach), so
 * memoryview(r) and numpy.frombuffer(r) are views, not copies. Because a
 * view points into the mapping, close() only marks the object closed
 * while views or a wait() in another thread still use it; the mapping
 * goes when the last of them does.
 *
 * Errors: the library returns -errno; we raise OSError with that errno,
 * which Python turns into the matching subclass (FileNotFoundError for
 * ENOENT, PermissionError for EACCES/EPERM, FileExistsError, TimeoutError
 * for ETIMEDOUT, ...), with the region's name as its filename.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <structmember.h>

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <libshmregion.h>

struct region {
	PyObject_HEAD
	struct shmr *shmr;	/* NULL once released */
	PyObject *name;		/* str */
	unsigned int flags;	/* SHMR_RDONLY, SHMR_CREATED */
	int closed;		/* close() was called */
	Py_ssize_t exports;	/* live buffer views */
	Py_ssize_t waiters;	/* wait() calls with the GIL released */
};

static PyTypeObject region_info_type;

/* Raise the OSError subclass for -ret, naming the region when there is one. */
static PyObject *raise_errno(int ret, PyObject *name)
{
	errno = -ret;
	if (name)
		return PyErr_SetFromErrnoWithFilenameObject(PyExc_OSError, name);
	return PyErr_SetFromErrno(PyExc_OSError);
}

/* Release the handle and its mappings once nothing uses them. */
static void release_if_idle(struct region *r)
{
	if (r->shmr && r->closed && r->exports == 0 && r->waiters == 0) {
		shmr_close(r->shmr);
		r->shmr = NULL;
	}
}

/* A ValueError for any use of a closed region (as files and mmap do). */
static int check_open(struct region *r)
{
	if (r->closed || !r->shmr) {
		PyErr_SetString(PyExc_ValueError, "I/O operation on a closed region");
		return -1;
	}
	return 0;
}

static PyObject *info_to_python(const struct shmr_region_info *info)
{
	PyObject *t = PyStructSequence_New(&region_info_type);

	if (!t)
		return NULL;
	PyStructSequence_SET_ITEM(t, 0, PyUnicode_DecodeFSDefault(info->name));
	PyStructSequence_SET_ITEM(t, 1, PyLong_FromUnsignedLongLong(info->size));
	PyStructSequence_SET_ITEM(t, 2, PyLong_FromUnsignedLongLong(info->seq));
	PyStructSequence_SET_ITEM(t, 3, PyLong_FromUnsignedLong(info->uid));
	PyStructSequence_SET_ITEM(t, 4, PyLong_FromUnsignedLong(info->gid));
	PyStructSequence_SET_ITEM(t, 5, PyLong_FromUnsignedLong(info->mode));
	PyStructSequence_SET_ITEM(t, 6, PyLong_FromUnsignedLong(info->flags));
	PyStructSequence_SET_ITEM(t, 7, PyLong_FromUnsignedLong(info->handles));
	PyStructSequence_SET_ITEM(t, 8, PyLong_FromUnsignedLong(info->mappings));
	if (PyErr_Occurred()) {
		Py_DECREF(t);
		return NULL;
	}
	return t;
}

/*
 * PyArg converters. "K" and "I" would wrap a negative int silently: these
 * raise OverflowError for a number out of range, TypeError for a non-int.
 */
static int to_u64(PyObject *o, void *p)
{
	unsigned long long v = PyLong_AsUnsignedLongLong(o);

	if (v == (unsigned long long)-1 && PyErr_Occurred())
		return 0;
	*(uint64_t *)p = v;
	return 1;
}

static int to_uint(PyObject *o, void *p)
{
	uint64_t v;

	if (!to_u64(o, &v))
		return 0;
	if (v > UINT_MAX) {
		PyErr_SetString(PyExc_OverflowError, "mode is too large");
		return 0;
	}
	*(unsigned int *)p = (unsigned int)v;
	return 1;
}

/* The name as UTF-8; ValueError for an embedded NUL, as open() gives. */
static const char *name_utf8(PyObject *name)
{
	Py_ssize_t len;
	const char *s = PyUnicode_AsUTF8AndSize(name, &len);

	if (s && strlen(s) != (size_t)len) {
		PyErr_SetString(PyExc_ValueError, "embedded null character in name");
		return NULL;
	}
	return s;
}

/* A new Region (of type cls, which may be a subclass) owning shmr. */
static PyObject *region_new_owning(PyTypeObject *cls, struct shmr *shmr,
				   PyObject *name, unsigned int flags)
{
	struct region *r = (struct region *)cls->tp_alloc(cls, 0);

	if (!r) {
		shmr_close(shmr);
		return NULL;
	}
	r->shmr = shmr;
	r->flags = flags;
	Py_INCREF(name);
	r->name = name;
	return (PyObject *)r;
}

/* --- construction ---------------------------------------------------------- */

PyDoc_STRVAR(region_create_doc,
"create(name, size, mode=0o600, *, exclusive=False, lazy=False, transient=False,\n"
"       huge=False)\n"
"--\n\n"
"Create the region NAME of SIZE bytes (rounded up to pages) and map it.\n"
"Without exclusive=True an existing region of that name is attached\n"
"instead when it is at least SIZE bytes. lazy=True allocates pages on\n"
"first touch; transient=True makes the region vanish with its last\n"
"handle and mapping; huge=True backs it with transparent huge pages\n"
"(OSError(EOPNOTSUPP) on a kernel without them). Raises FileExistsError (exclusive and the name\n"
"exists), PermissionError, OSError(EINVAL) for a bad name, size or mode,\n"
"OSError(E2BIG, ENOSPC, EDQUOT, ENOMEM) at the module's limits and\n"
"OSError(ENODEV) when the module is not loaded.");

static PyObject *region_create(PyObject *cls, PyObject *args, PyObject *kwds)
{
	static char *kwlist[] = { "name", "size", "mode", "exclusive", "lazy",
				  "transient", "huge", NULL };
	int exclusive = 0, lazy = 0, transient = 0, huge = 0, ret;
	unsigned int mode = 0600, flags = 0;
	struct shmr_region_info info;
	struct shmr *shmr;
	const char *cname;
	PyObject *name;
	uint64_t size;

	if (!PyArg_ParseTupleAndKeywords(args, kwds, "UO&|O&$pppp:create", kwlist,
					 &name, to_u64, &size, to_uint, &mode,
					 &exclusive, &lazy, &transient, &huge))
		return NULL;
	cname = name_utf8(name);
	if (!cname)
		return NULL;
	flags = (exclusive ? SHMR_EXCL : 0) | (lazy ? SHMR_LAZY : 0) |
		(transient ? SHMR_TRANSIENT : 0) | (huge ? SHMR_HUGE : 0);
	Py_BEGIN_ALLOW_THREADS
	ret = shmr_create(&shmr, cname, (size_t)size, mode, flags);
	Py_END_ALLOW_THREADS
	if (ret)
		return raise_errno(ret, name);
	ret = shmr_info(shmr, &info);
	return region_new_owning((PyTypeObject *)cls, shmr, name,
				 ret ? 0 : (info.flags & SHMR_CREATED));
}

PyDoc_STRVAR(region_attach_doc,
"attach(name, *, readonly=False)\n"
"--\n\n"
"Attach to the existing region NAME and map it, read-only with\n"
"readonly=True (its views are then read-only and notify() fails).\n"
"Raises FileNotFoundError when there is no such region, PermissionError\n"
"when its mode does not allow the access, OSError(EINVAL) for a bad name\n"
"and OSError(ENODEV) when the module is not loaded.");

static PyObject *region_attach(PyObject *cls, PyObject *args, PyObject *kwds)
{
	static char *kwlist[] = { "name", "readonly", NULL };
	unsigned int flags;
	struct shmr *shmr;
	int readonly = 0, ret;
	const char *cname;
	PyObject *name;

	if (!PyArg_ParseTupleAndKeywords(args, kwds, "U|$p:attach", kwlist,
					 &name, &readonly))
		return NULL;
	cname = name_utf8(name);
	if (!cname)
		return NULL;
	flags = readonly ? SHMR_RDONLY : 0;
	Py_BEGIN_ALLOW_THREADS
	ret = shmr_attach(&shmr, cname, flags);
	Py_END_ALLOW_THREADS
	if (ret)
		return raise_errno(ret, name);
	return region_new_owning((PyTypeObject *)cls, shmr, name, flags);
}

static PyObject *region_tp_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
	(void)args;
	(void)kwds;
	PyErr_Format(PyExc_TypeError,
		     "cannot create '%s' instances: use %s.create() or %s.attach()",
		     type->tp_name, type->tp_name, type->tp_name);
	return NULL;
}

static void region_dealloc(struct region *r)
{
	/* No view can outlive us (each holds a reference), nor a wait(). */
	if (r->shmr)
		shmr_close(r->shmr);
	Py_XDECREF(r->name);
	Py_TYPE(r)->tp_free((PyObject *)r);
}

/* --- methods ----------------------------------------------------------------- */

PyDoc_STRVAR(region_close_doc,
"close()\n--\n\n"
"Close the handle; the region's memory stays for its other users. A\n"
"closed region refuses every further use with ValueError. Views\n"
"(memoryview, numpy arrays) taken earlier stay valid: the mapping goes\n"
"when the last of them is released. Closing twice is allowed.");

static PyObject *region_close(struct region *r, PyObject *unused)
{
	(void)unused;
	r->closed = 1;
	release_if_idle(r);
	Py_RETURN_NONE;
}

static PyObject *region_enter(struct region *r, PyObject *unused)
{
	(void)unused;
	if (check_open(r))
		return NULL;
	Py_INCREF(r);
	return (PyObject *)r;
}

static PyObject *region_exit(struct region *r, PyObject *args)
{
	(void)args;
	return region_close(r, NULL);
}

PyDoc_STRVAR(region_notify_doc,
"notify()\n--\n\n"
"Bump the region's sequence number and wake every waiter; returns the\n"
"new number. PermissionError on a read-only attach.");

static PyObject *region_notify(struct region *r, PyObject *unused)
{
	uint64_t seq;
	int ret;

	(void)unused;
	if (check_open(r))
		return NULL;
	ret = shmr_notify(r->shmr, &seq);
	if (ret)
		return raise_errno(ret, r->name);
	return PyLong_FromUnsignedLongLong(seq);
}

PyDoc_STRVAR(region_resize_doc,
"resize(size)\n--\n\n"
"Make the region SIZE bytes (rounded up to pages) and remap it here; an\n"
"update, as notify() is. Only the owner, through a read-write attach.\n"
"Raises BufferError while views of the region exist (the mapping may\n"
"move), PermissionError (read-only, or not the owner), and\n"
"OSError(E2BIG, ENOSPC, EDQUOT, ENOMEM) at the module's limits.");

static PyObject *region_resize(struct region *r, PyObject *arg)
{
	uint64_t size;
	int ret;

	if (check_open(r) || !to_u64(arg, &size))
		return NULL;
	if (r->exports) {
		PyErr_SetString(PyExc_BufferError,
				"cannot resize a region while views of it exist");
		return NULL;
	}
	if (size > SIZE_MAX) {
		PyErr_SetString(PyExc_OverflowError, "size is too large");
		return NULL;
	}
	Py_BEGIN_ALLOW_THREADS
	ret = shmr_resize(r->shmr, (size_t)size);
	Py_END_ALLOW_THREADS
	if (ret)
		return raise_errno(ret, r->name);
	Py_RETURN_NONE;
}

PyDoc_STRVAR(region_remap_doc,
"remap()\n--\n\n"
"After another process resized the region, map it here at its new\n"
"size (len() changes). Raises BufferError while views of it exist.");

static PyObject *region_remap(struct region *r, PyObject *unused)
{
	int ret;

	(void)unused;
	if (check_open(r))
		return NULL;
	if (r->exports) {
		PyErr_SetString(PyExc_BufferError,
				"cannot remap a region while views of it exist");
		return NULL;
	}
	ret = shmr_remap(r->shmr);
	if (ret)
		return raise_errno(ret, r->name);
	Py_RETURN_NONE;
}

PyDoc_STRVAR(region_unlink_doc,
"unlink()\n--\n\n"
"Remove the name of this region (not of another made under the same\n"
"name since); the memory lives on while it is attached or viewed.\n"
"FileNotFoundError when its name is gone already, PermissionError when\n"
"the caller is not the owner.");

static PyObject *region_unlink(struct region *r, PyObject *unused)
{
	int ret;

	(void)unused;
	if (check_open(r))
		return NULL;
	ret = shmr_funlink(r->shmr);
	if (ret)
		return raise_errno(ret, r->name);
	Py_RETURN_NONE;
}

static int64_t monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

PyDoc_STRVAR(region_wait_doc,
"wait(seq, timeout=None)\n--\n\n"
"Return the region's sequence number once it differs from SEQ: at once,\n"
"with no system call, when it already does; else sleep, without the\n"
"GIL, until a notify(). TIMEOUT is in seconds (None: no limit; 0: only\n"
"check). Raises TimeoutError when it passes, OSError(EIDRM) when the\n"
"region is unlinked while SEQ is current, ValueError for a negative or\n"
"NaN timeout. A signal whose handler raises (Ctrl-C: KeyboardInterrupt)\n"
"ends the wait with that exception; other signals do not (PEP 475).");

static PyObject *region_wait(struct region *r, PyObject *args, PyObject *kwds)
{
	static char *kwlist[] = { "seq", "timeout", NULL };
	PyObject *timeout_obj = Py_None;
	int64_t timeout_ns = SHMR_FOREVER, deadline = 0, left;
	uint64_t given, seq;
	double t;
	int ret;

	if (!PyArg_ParseTupleAndKeywords(args, kwds, "O&|O:wait", kwlist, to_u64, &given,
					 &timeout_obj))
		return NULL;
	if (check_open(r))
		return NULL;
	if (timeout_obj != Py_None) {
		t = PyFloat_AsDouble(timeout_obj);
		if (t == -1.0 && PyErr_Occurred())
			return NULL;
		if (isnan(t) || t < 0) {
			PyErr_SetString(PyExc_ValueError,
					"timeout must be None or a number >= 0");
			return NULL;
		}
		timeout_ns = t * 1e9 >= (double)INT64_MAX / 2 ? SHMR_FOREVER :
			     (int64_t)(t * 1e9);
		if (timeout_ns != SHMR_FOREVER)
			deadline = monotonic_ns() + timeout_ns;
	}
	/* The fast path: news on the control page, no syscall, GIL kept. */
	seq = shmr_seq(r->shmr);
	if (seq != given)
		return PyLong_FromUnsignedLongLong(seq);

	for (;;) {
		seq = given;
		r->waiters++;
		Py_BEGIN_ALLOW_THREADS
		ret = shmr_wait(r->shmr, &seq, timeout_ns);
		Py_END_ALLOW_THREADS
		r->waiters--;
		release_if_idle(r);
		if (ret != -EINTR)
			break;
		/* Run the signal handlers; Ctrl-C raises KeyboardInterrupt. */
		if (PyErr_CheckSignals())
			return NULL;
		if (check_open(r))
			return NULL;
		if (timeout_ns != SHMR_FOREVER) {
			left = deadline - monotonic_ns();
			timeout_ns = left > 0 ? left : 0;
		}
	}
	if (ret)
		return raise_errno(ret, r->name);
	return PyLong_FromUnsignedLongLong(seq);
}

PyDoc_STRVAR(region_info_doc,
"info()\n--\n\n"
"A RegionInfo (name, size, seq, uid, gid, mode, flags, handles,\n"
"mappings) describing the region now.");

static PyObject *region_info(struct region *r, PyObject *unused)
{
	struct shmr_region_info info;
	int ret;

	(void)unused;
	if (check_open(r))
		return NULL;
	ret = shmr_info(r->shmr, &info);
	if (ret)
		return raise_errno(ret, r->name);
	return info_to_python(&info);
}

PyDoc_STRVAR(region_fileno_doc,
"fileno()\n--\n\n"
"The handle's file descriptor, for selectors, select.poll and asyncio\n"
"(loop.add_reader): readable when there is an update this handle has\n"
"not read yet (os.read(fd, 8) returns the sequence and consumes it),\n"
"hung up once the region is unlinked. It belongs to the region: do not\n"
"close it.");

static PyObject *region_fileno(struct region *r, PyObject *unused)
{
	(void)unused;
	if (check_open(r))
		return NULL;
	return PyLong_FromLong(shmr_fd(r->shmr));
}

/* --- attributes ------------------------------------------------------------ */

static PyObject *region_get_seq(struct region *r, void *closure)
{
	(void)closure;
	if (check_open(r))
		return NULL;
	return PyLong_FromUnsignedLongLong(shmr_seq(r->shmr));
}

static PyObject *region_get_size(struct region *r, void *closure)
{
	(void)closure;
	if (check_open(r))
		return NULL;
	return PyLong_FromSize_t(shmr_size(r->shmr));
}

static PyObject *region_get_name(struct region *r, void *closure)
{
	(void)closure;
	Py_INCREF(r->name);
	return r->name;
}

static PyObject *region_get_readonly(struct region *r, void *closure)
{
	(void)closure;
	return PyBool_FromLong(r->flags & SHMR_RDONLY);
}

static PyObject *region_get_created(struct region *r, void *closure)
{
	(void)closure;
	return PyBool_FromLong(r->flags & SHMR_CREATED);
}

static PyObject *region_get_closed(struct region *r, void *closure)
{
	(void)closure;
	return PyBool_FromLong(r->closed);
}

static PyObject *region_repr(struct region *r)
{
	if (r->closed)
		return PyUnicode_FromFormat("<%s %R closed>", Py_TYPE(r)->tp_name,
					    r->name);
	return PyUnicode_FromFormat("<%s %R size=%zu seq=%llu%s>",
				    Py_TYPE(r)->tp_name, r->name,
				    shmr_size(r->shmr),
				    (unsigned long long)shmr_seq(r->shmr),
				    r->flags & SHMR_RDONLY ? " readonly" : "");
}

/* --- the buffer protocol -------------------------------------------------- */

static int region_getbuffer(struct region *r, Py_buffer *view, int flags)
{
	if (check_open(r)) {
		view->obj = NULL;
		return -1;
	}
	/* BufferError for a writable view of a read-only attach. */
	if (PyBuffer_FillInfo(view, (PyObject *)r, shmr_addr(r->shmr),
			      (Py_ssize_t)shmr_size(r->shmr),
			      (r->flags & SHMR_RDONLY) != 0, flags))
		return -1;
	r->exports++;
	return 0;
}

static void region_releasebuffer(struct region *r, Py_buffer *view)
{
	(void)view;
	r->exports--;
	release_if_idle(r);
}

static PyBufferProcs region_as_buffer = {
	.bf_getbuffer = (getbufferproc)region_getbuffer,
	.bf_releasebuffer = (releasebufferproc)region_releasebuffer,
};

static Py_ssize_t region_length(struct region *r)
{
	if (check_open(r))
		return -1;
	return (Py_ssize_t)shmr_size(r->shmr);
}

static PySequenceMethods region_as_sequence = {
	.sq_length = (lenfunc)region_length,
};

static PyMethodDef region_methods[] = {
	{ "create", (PyCFunction)(void (*)(void))region_create,
	  METH_VARARGS | METH_KEYWORDS | METH_CLASS, region_create_doc },
	{ "attach", (PyCFunction)(void (*)(void))region_attach,
	  METH_VARARGS | METH_KEYWORDS | METH_CLASS, region_attach_doc },
	{ "close", (PyCFunction)region_close, METH_NOARGS, region_close_doc },
	{ "notify", (PyCFunction)region_notify, METH_NOARGS, region_notify_doc },
	{ "wait", (PyCFunction)(void (*)(void))region_wait,
	  METH_VARARGS | METH_KEYWORDS, region_wait_doc },
	{ "info", (PyCFunction)region_info, METH_NOARGS, region_info_doc },
	{ "resize", (PyCFunction)region_resize, METH_O, region_resize_doc },
	{ "remap", (PyCFunction)region_remap, METH_NOARGS, region_remap_doc },
	{ "unlink", (PyCFunction)region_unlink, METH_NOARGS, region_unlink_doc },
	{ "fileno", (PyCFunction)region_fileno, METH_NOARGS, region_fileno_doc },
	{ "__enter__", (PyCFunction)region_enter, METH_NOARGS, NULL },
	{ "__exit__", (PyCFunction)region_exit, METH_VARARGS, NULL },
	{ NULL, NULL, 0, NULL },
};

static PyGetSetDef region_getset[] = {
	{ "seq", (getter)region_get_seq, NULL,
	  "The sequence number now, read from the control page (no syscall).", NULL },
	{ "size", (getter)region_get_size, NULL,
	  "The mapped size in bytes (a whole number of pages).", NULL },
	{ "name", (getter)region_get_name, NULL, "The region's name.", NULL },
	{ "readonly", (getter)region_get_readonly, NULL,
	  "True after attach(readonly=True).", NULL },
	{ "created", (getter)region_get_created, NULL,
	  "True when create() made the region (not an existing one).", NULL },
	{ "closed", (getter)region_get_closed, NULL, "True after close().", NULL },
	{ NULL, NULL, NULL, NULL, NULL },
};

PyDoc_STRVAR(region_doc,
"A named shared-memory region, mapped into this process.\n\n"
"Made by Region.create() or Region.attach(), never called directly.\n"
"memoryview(r) and numpy.frombuffer(r, dtype) are views of its memory;\n"
"r.notify() and r.wait(seq) signal and await updates; r.close() or a\n"
"with block closes it.");

static PyTypeObject region_type = {
	PyVarObject_HEAD_INIT(NULL, 0)
	.tp_name = "shmregion.Region",
	.tp_basicsize = sizeof(struct region),
	.tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
	.tp_doc = region_doc,
	.tp_new = region_tp_new,
	.tp_dealloc = (destructor)region_dealloc,
	.tp_repr = (reprfunc)region_repr,
	.tp_methods = region_methods,
	.tp_getset = region_getset,
	.tp_as_buffer = &region_as_buffer,
	.tp_as_sequence = &region_as_sequence,
};

/* --- module functions ------------------------------------------------------- */

PyDoc_STRVAR(unlink_doc,
"unlink(name)\n--\n\n"
"Remove the name NAME now; its memory lives until the last handle and\n"
"mapping go, and waiters wake with OSError(EIDRM). Raises\n"
"FileNotFoundError, PermissionError (not the owner) and OSError(EINVAL)\n"
"for a bad name.");

static PyObject *py_unlink(PyObject *module, PyObject *name)
{
	const char *cname;
	int ret;

	(void)module;
	if (!PyUnicode_Check(name)) {
		PyErr_Format(PyExc_TypeError, "unlink() argument must be str, not %s",
			     Py_TYPE(name)->tp_name);
		return NULL;
	}
	cname = name_utf8(name);
	if (!cname)
		return NULL;
	ret = shmr_unlink(cname);
	if (ret)
		return raise_errno(ret, name);
	Py_RETURN_NONE;
}

PyDoc_STRVAR(list_doc,
"list_regions()\n--\n\n"
"A RegionInfo for every named region, sorted by name (any user may\n"
"list them all). OSError(ENODEV) when the module is not loaded.");

static PyObject *py_list_regions(PyObject *module, PyObject *unused)
{
	struct shmr_region_info *list;
	PyObject *out, *item;
	size_t count, i;
	int ret;

	(void)module;
	(void)unused;
	ret = shmr_list(&list, &count);
	if (ret)
		return raise_errno(ret, NULL);
	out = PyList_New((Py_ssize_t)count);
	if (!out)
		goto out_free;
	for (i = 0; i < count; i++) {
		item = info_to_python(&list[i]);
		if (!item) {
			Py_CLEAR(out);
			goto out_free;
		}
		PyList_SET_ITEM(out, (Py_ssize_t)i, item);
	}
	if (PyList_Sort(out))
		Py_CLEAR(out);
out_free:
	shmr_list_free(list);
	return out;
}

static PyMethodDef module_methods[] = {
	{ "unlink", py_unlink, METH_O, unlink_doc },
	{ "list_regions", py_list_regions, METH_NOARGS, list_doc },
	{ NULL, NULL, 0, NULL },
};

static PyStructSequence_Field region_info_fields[] = {
	{ "name", "the region's name" },
	{ "size", "bytes, a whole number of pages" },
	{ "seq", "update sequence number" },
	{ "uid", "owner's user id" },
	{ "gid", "owner's group id" },
	{ "mode", "permission bits, a subset of 0o666" },
	{ "flags", "LAZY, TRANSIENT, HUGE, RDONLY, UNLINKED, CREATED" },
	{ "handles", "open handles (attached processes)" },
	{ "mappings", "live mappings" },
	{ NULL, NULL },
};

static PyStructSequence_Desc region_info_desc = {
	.name = "shmregion.RegionInfo",
	.doc = "What info() and list_regions() report about a region.",
	.fields = region_info_fields,
	.n_in_sequence = 9,
};

static struct PyModuleDef shmregion_module = {
	PyModuleDef_HEAD_INIT,
	.m_name = "shmregion._shmregion",
	.m_doc = "The C part of the shmregion binding (see the shmregion package).",
	.m_size = -1,
	.m_methods = module_methods,
};

PyMODINIT_FUNC PyInit__shmregion(void)
{
	PyObject *m;

	if (PyType_Ready(&region_type))
		return NULL;
	if (!region_info_type.tp_name &&
	    PyStructSequence_InitType2(&region_info_type, &region_info_desc))
		return NULL;
	m = PyModule_Create(&shmregion_module);
	if (!m)
		return NULL;
	Py_INCREF(&region_type);
	Py_INCREF(&region_info_type);
	if (PyModule_AddObject(m, "Region", (PyObject *)&region_type) ||
	    PyModule_AddObject(m, "RegionInfo", (PyObject *)&region_info_type) ||
	    PyModule_AddIntConstant(m, "LAZY", SHMR_LAZY) ||
	    PyModule_AddIntConstant(m, "TRANSIENT", SHMR_TRANSIENT) ||
	    PyModule_AddIntConstant(m, "HUGE", SHMR_HUGE) ||
	    PyModule_AddIntConstant(m, "RDONLY", SHMR_RDONLY) ||
	    PyModule_AddIntConstant(m, "UNLINKED", SHMR_UNLINKED) ||
	    PyModule_AddIntConstant(m, "CREATED", SHMR_CREATED) ||
	    PyModule_AddIntConstant(m, "NAME_MAX", SHMR_NAME_MAX - 1)) {
		Py_DECREF(m);
		return NULL;
	}
	return m;
}
