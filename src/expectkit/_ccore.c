/*
 * expectkit._ccore: the compiled twin of the pure-Python engine's hot paths.
 *
 * A Core holds one compiled timeline of a schedule (int64 UTC microseconds: the
 * interval starts and ends and the cumulative open time before and after each
 * interval) and the UTC offsets of the schedule's zone over that range. It answers
 * add, subtract, between, is_open, next_open and next_close by binary search,
 * reading and building datetimes through the CPython datetime C API.
 *
 * It answers only where nothing is subtle: the input lies inside the compiled
 * range, no offset change is near the answer, no wall time is ambiguous or missing,
 * and every input is an exact datetime/timedelta. Anywhere else a method returns
 * None and the caller asks the pure-Python engine (expectkit.schedule), which is
 * the reference: the two must agree on every answer the core gives.
 */

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <datetime.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define US_PER_SECOND INT64_C(1000000)
#define US_PER_DAY (INT64_C(86400) * US_PER_SECOND)
/* Durations beyond this many days (2 700 years) go to the pure path, which has
 * arbitrary-precision integers; well beyond any horizon, far from int64 overflow. */
#define MAX_DURATION_DAYS 1000000
/* Wall times this close to the edges of the offset table are not trusted: an
 * offset change just outside the table could make them ambiguous. */
#define EDGE_PAD US_PER_DAY

static PyObject *str_utcoffset; /* interned "utcoffset" */

typedef struct {
    PyObject_HEAD
    Py_ssize_t n;       /* number of open intervals */
    int64_t *starts;    /* interval starts, increasing */
    int64_t *ends;      /* interval ends */
    int64_t *cum;       /* open time before interval i */
    int64_t *cumend;    /* open time up to the end of interval i */
    int64_t lo, hi;     /* the covered range [lo, hi) */
    int64_t horizon;    /* the schedule's search horizon */
    PyObject *zone;     /* the schedule's tzinfo; results carry it */
    Py_ssize_t nseg;    /* number of constant-offset segments */
    int64_t *offset;    /* UTC offset of each segment */
    int64_t *safe_lo;   /* instants of segment k in [safe_lo, safe_hi) read plainly */
    int64_t *safe_hi;
    int64_t *wall_lo;   /* wall times in [wall_lo, wall_hi) exist exactly once */
    int64_t *wall_hi;
    int64_t *block;     /* the single allocation behind every array above */
} Core;

/* ---- calendar arithmetic (proleptic Gregorian, days since 1970-01-01) ---------- */

/* Howard Hinnant's days_from_civil and civil_from_days. */
static int64_t
days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const int64_t yoe = y - era * 400;
    const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void
civil_from_days(int64_t z, int *year, int *month, int *day)
{
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const int64_t doe = z - era * 146097;
    const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const int64_t mp = (5 * doy + 2) / 153;
    const int64_t d = doy - (153 * mp + 2) / 5 + 1;
    const int64_t m = mp < 10 ? mp + 3 : mp - 9;
    *year = (int)(yoe + era * 400 + (m <= 2));
    *month = (int)m;
    *day = (int)d;
}

static int64_t
floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* ---- binary searches (the bisect module's semantics) ----------------------------- */

/* Branch-free: lookups at random instants would mispredict nearly every step of a
 * branching search. The range [base, base + len] always holds the answer. */

static Py_ssize_t
bisect_right(const int64_t *a, Py_ssize_t n, int64_t x)
{
    if (n == 0)
        return 0;
    const int64_t *base = a;
    while (n > 1) {
        const Py_ssize_t half = n / 2;
        base = (base[half] <= x) ? base + half : base;
        n -= half;
    }
    return (base - a) + (*base <= x);
}

static Py_ssize_t
bisect_left(const int64_t *a, Py_ssize_t n, int64_t x)
{
    if (n == 0)
        return 0;
    const int64_t *base = a;
    while (n > 1) {
        const Py_ssize_t half = n / 2;
        base = (base[half] < x) ? base + half : base;
        n -= half;
    }
    return (base - a) + (*base < x);
}

/* ---- the timeline (mirrors expectkit._timeline.Timeline) ------------------------- */

static int64_t
position(const Core *c, int64_t x)
{
    Py_ssize_t i = bisect_right(c->starts, c->n, x) - 1;
    if (i < 0)
        return 0;
    if (x < c->ends[i])
        return c->cum[i] + (x - c->starts[i]);
    return c->cumend[i];
}

/* Earliest instant with position p; 0 when it lies past the range. */
static int
forward(const Core *c, int64_t p, int64_t *out)
{
    Py_ssize_t j = bisect_left(c->cumend, c->n, p);
    if (j == c->n)
        return 0;
    *out = c->starts[j] + (p - c->cum[j]);
    return 1;
}

/* Latest instant with position p, for 0 <= p and at least one interval. */
static int64_t
backward(const Core *c, int64_t p)
{
    Py_ssize_t j = bisect_right(c->cum, c->n, p) - 1;
    return c->starts[j] + (p - c->cum[j]);
}

/* ---- instants in and out ----------------------------------------------------------- */

/* Read an aware datetime as UTC microseconds. Returns 1 on success, 0 to defer
 * (not an exact datetime, naive, or anything the pure path should judge). */
static int
instant_in(const Core *c, PyObject *t, int64_t *out)
{
    if (!PyDateTime_CheckExact(t))
        return 0;
    PyObject *tz = PyDateTime_DATE_GET_TZINFO(t); /* borrowed; None when naive */
    if (tz == Py_None)
        return 0;
    const int64_t wall =
        days_from_civil(PyDateTime_GET_YEAR(t), PyDateTime_GET_MONTH(t), PyDateTime_GET_DAY(t)) *
            US_PER_DAY +
        (PyDateTime_DATE_GET_HOUR(t) * INT64_C(3600) + PyDateTime_DATE_GET_MINUTE(t) * INT64_C(60) +
         PyDateTime_DATE_GET_SECOND(t)) *
            US_PER_SECOND +
        PyDateTime_DATE_GET_MICROSECOND(t);
    if (tz == PyDateTime_TimeZone_UTC) {
        *out = wall;
        return 1;
    }
    if (tz == c->zone && c->nseg > 0) {
        Py_ssize_t k = bisect_right(c->wall_lo, c->nseg, wall) - 1;
        if (k >= 0 && wall < c->wall_hi[k]) {
            *out = wall - c->offset[k];
            return 1;
        }
    }
    /* Any other tzinfo, or a wall time near an offset change: ask the tzinfo, as
     * datetime.utcoffset() does. */
    PyObject *off = PyObject_CallMethodOneArg(tz, str_utcoffset, t);
    if (off == NULL) {
        PyErr_Clear();
        return 0;
    }
    if (!PyDelta_CheckExact(off)) {
        Py_DECREF(off);
        return 0;
    }
    const int64_t offset_us =
        ((int64_t)PyDateTime_DELTA_GET_DAYS(off) * INT64_C(86400) +
         PyDateTime_DELTA_GET_SECONDS(off)) *
            US_PER_SECOND +
        PyDateTime_DELTA_GET_MICROSECONDS(off);
    Py_DECREF(off);
    if (offset_us <= -US_PER_DAY || offset_us >= US_PER_DAY)
        return 0; /* datetime refuses it; let the pure path raise */
    *out = wall - offset_us;
    return 1;
}

/* Read an exact timedelta as microseconds; 0 to defer. */
static int
duration_in(PyObject *d, int64_t *out)
{
    if (!PyDelta_CheckExact(d))
        return 0;
    const int days = PyDateTime_DELTA_GET_DAYS(d);
    if (days > MAX_DURATION_DAYS || days < -MAX_DURATION_DAYS)
        return 0;
    *out = ((int64_t)days * INT64_C(86400) + PyDateTime_DELTA_GET_SECONDS(d)) * US_PER_SECOND +
           PyDateTime_DELTA_GET_MICROSECONDS(d);
    return 1;
}

/* Build the datetime of instant u in the schedule's zone, or return None (defer)
 * where the offset at u is not plain (near a change, or outside the table). */
static PyObject *
instant_out(const Core *c, int64_t u)
{
    Py_ssize_t k = bisect_right(c->safe_lo, c->nseg, u) - 1;
    if (k < 0 || u >= c->safe_hi[k])
        Py_RETURN_NONE;
    const int64_t wall = u + c->offset[k];
    const int64_t days = floor_div(wall, US_PER_DAY);
    int64_t rest = wall - days * US_PER_DAY;
    int year, month, day;
    civil_from_days(days, &year, &month, &day);
    const int micro = (int)(rest % US_PER_SECOND);
    rest /= US_PER_SECOND;
    const int second = (int)(rest % 60);
    rest /= 60;
    const int minute = (int)(rest % 60);
    const int hour = (int)(rest / 60);
    return PyDateTimeAPI->DateTime_FromDateAndTime(
        year, month, day, hour, minute, second, micro, c->zone, PyDateTimeAPI->DateTimeType);
}

static int
covers(const Core *c, int64_t x)
{
    return c->lo <= x && x < c->hi;
}

/* ---- the verbs --------------------------------------------------------------------- */

static PyObject *
answer_add(const Core *c, int64_t x, int64_t amount)
{
    if (!covers(c, x))
        Py_RETURN_NONE;
    int64_t u;
    if (!forward(c, position(c, x) + amount, &u) || u - x > c->horizon)
        Py_RETURN_NONE;
    return instant_out(c, u);
}

static PyObject *
answer_subtract(const Core *c, int64_t x, int64_t amount)
{
    if (!covers(c, x) || c->n == 0)
        Py_RETURN_NONE;
    const int64_t p = position(c, x) - amount;
    if (p < 0)
        Py_RETURN_NONE;
    const int64_t u = backward(c, p);
    if (x - u > c->horizon)
        Py_RETURN_NONE;
    return instant_out(c, u);
}

static int
two_args(Py_ssize_t nargs, const char *name)
{
    if (nargs != 2) {
        PyErr_Format(PyExc_TypeError, "%s() takes exactly 2 arguments (%zd given)", name, nargs);
        return 0;
    }
    return 1;
}

PyDoc_STRVAR(core_add_doc, "add(t, d)\n--\n\n"
                           "Schedule.add(t, d), or None where the pure engine must answer.");

static PyObject *
core_add(Core *c, PyObject *const *args, Py_ssize_t nargs)
{
    if (!two_args(nargs, "add"))
        return NULL;
    int64_t x, amount;
    if (!instant_in(c, args[0], &x) || !duration_in(args[1], &amount))
        Py_RETURN_NONE;
    if (amount > 0)
        return answer_add(c, x, amount);
    if (amount < 0)
        return answer_subtract(c, x, -amount);
    Py_RETURN_NONE; /* add(t, 0) is t in the zone, as given: the pure path's job */
}

PyDoc_STRVAR(core_subtract_doc, "subtract(t, d)\n--\n\n"
                                "Schedule.subtract(t, d), or None where the pure engine must "
                                "answer.");

static PyObject *
core_subtract(Core *c, PyObject *const *args, Py_ssize_t nargs)
{
    if (!two_args(nargs, "subtract"))
        return NULL;
    int64_t x, amount;
    if (!instant_in(c, args[0], &x) || !duration_in(args[1], &amount))
        Py_RETURN_NONE;
    if (amount > 0)
        return answer_subtract(c, x, amount);
    if (amount < 0)
        return answer_add(c, x, -amount);
    Py_RETURN_NONE;
}

PyDoc_STRVAR(core_between_doc, "between(a, b)\n--\n\n"
                               "Schedule.between(a, b), or None where the pure engine must "
                               "answer.");

static PyObject *
core_between(Core *c, PyObject *const *args, Py_ssize_t nargs)
{
    if (!two_args(nargs, "between"))
        return NULL;
    int64_t x, y;
    if (!instant_in(c, args[0], &x) || !instant_in(c, args[1], &y) || !covers(c, x) ||
        !covers(c, y))
        Py_RETURN_NONE;
    const int64_t diff = position(c, y) - position(c, x);
    const int64_t days = floor_div(diff, US_PER_DAY);
    const int64_t rest = diff - days * US_PER_DAY;
    return PyDateTimeAPI->Delta_FromDelta((int)days, (int)(rest / US_PER_SECOND),
                                          (int)(rest % US_PER_SECOND), 1,
                                          PyDateTimeAPI->DeltaType);
}

PyDoc_STRVAR(core_is_open_doc, "is_open(t)\n--\n\n"
                               "Schedule.is_open(t), or None where the pure engine must answer.");

static PyObject *
core_is_open(Core *c, PyObject *t)
{
    int64_t x;
    if (!instant_in(c, t, &x) || !covers(c, x))
        Py_RETURN_NONE;
    Py_ssize_t i = bisect_right(c->starts, c->n, x) - 1;
    return PyBool_FromLong(i >= 0 && x < c->ends[i]);
}

PyDoc_STRVAR(core_next_open_doc, "next_open(t)\n--\n\n"
                                 "Schedule.next_open(t), or None where the pure engine must "
                                 "answer.");

static PyObject *
core_next_open(Core *c, PyObject *t)
{
    int64_t x;
    if (!instant_in(c, t, &x) || !covers(c, x))
        Py_RETURN_NONE;
    Py_ssize_t i = bisect_right(c->starts, c->n, x) - 1;
    if (i >= 0 && x < c->ends[i])
        return instant_out(c, x);
    if (i + 1 >= c->n || c->starts[i + 1] - x > c->horizon)
        Py_RETURN_NONE;
    return instant_out(c, c->starts[i + 1]);
}

PyDoc_STRVAR(core_next_close_doc, "next_close(t)\n--\n\n"
                                  "Schedule.next_close(t), or None where the pure engine must "
                                  "answer.");

static PyObject *
core_next_close(Core *c, PyObject *t)
{
    int64_t x;
    if (!instant_in(c, t, &x) || !covers(c, x))
        Py_RETURN_NONE;
    Py_ssize_t i = bisect_right(c->starts, c->n, x) - 1;
    if (i < 0 || x >= c->ends[i])
        i += 1;
    /* An interval ending at the edge of the range may go on beyond it. */
    if (i >= c->n || c->ends[i] >= c->hi || c->ends[i] - x > c->horizon)
        Py_RETURN_NONE;
    return instant_out(c, c->ends[i]);
}

/* ---- construction ------------------------------------------------------------------ */

/* Copy an int64 buffer (array('q'), numpy int64, bytes of int64) of `expect` items,
 * or of any length when expect < 0; returns the item count or -1 with an error. */
static Py_ssize_t
read_int64s(PyObject *obj, const char *name, int64_t **dest, Py_ssize_t expect)
{
    Py_buffer view;
    if (PyObject_GetBuffer(obj, &view, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT) < 0)
        return -1;
    const char *fmt = view.format ? view.format : "B";
    if (*fmt == '<' || *fmt == '=' || *fmt == '@')
        fmt++;
    if (view.itemsize != 8 || (strcmp(fmt, "q") != 0 && strcmp(fmt, "l") != 0)) {
        PyBuffer_Release(&view);
        PyErr_Format(PyExc_TypeError, "%s: expected a buffer of int64", name);
        return -1;
    }
    const Py_ssize_t count = view.len / 8;
    if (expect >= 0 && count != expect) {
        PyBuffer_Release(&view);
        PyErr_Format(PyExc_ValueError, "%s: expected %zd items, got %zd", name, expect, count);
        return -1;
    }
    if (dest != NULL && view.len > 0)
        memcpy(*dest, view.buf, (size_t)view.len);
    PyBuffer_Release(&view);
    return count;
}

static Py_ssize_t
buffer_len(PyObject *obj, const char *name)
{
    return read_int64s(obj, name, NULL, -1);
}

static void
core_dealloc(Core *c)
{
    PyMem_Free(c->block);
    Py_XDECREF(c->zone);
    Py_TYPE(c)->tp_free((PyObject *)c);
}

PyDoc_STRVAR(core_doc,
             "Core(starts, ends, cum, cumend, lo, hi, horizon, zone, bounds, offsets)\n--\n\n"
             "A compiled timeline and its zone's offsets; immutable.\n\n"
             "starts, ends, cum, cumend: int64 buffers of one length, as in Timeline.\n"
             "lo, hi: the covered range; horizon: the search limit (microseconds).\n"
             "zone: the tzinfo of every result.\n"
             "bounds: int64 buffer [b0, t1, ..., b_k], the edges of k constant-offset\n"
             "segments; offsets: int64 buffer of the k offsets (microseconds).\n"
             "Every method returns None where the pure engine must answer instead.");

static PyObject *
core_new(PyTypeObject *type, PyObject *args, PyObject *kwargs)
{
    static char *names[] = {"starts", "ends", "cum", "cumend", "lo", "hi", "horizon",
                            "zone", "bounds", "offsets", NULL};
    PyObject *starts, *ends, *cum, *cumend, *zone, *bounds, *offsets;
    long long lo, hi, horizon;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "OOOOLLLOOO:Core", names, &starts, &ends,
                                     &cum, &cumend, &lo, &hi, &horizon, &zone, &bounds,
                                     &offsets))
        return NULL;
    if (!PyTZInfo_Check(zone)) {
        PyErr_SetString(PyExc_TypeError, "zone: expected a tzinfo");
        return NULL;
    }
    const Py_ssize_t n = buffer_len(starts, "starts");
    if (n < 0)
        return NULL;
    const Py_ssize_t nseg = buffer_len(offsets, "offsets");
    if (nseg < 0)
        return NULL;
    if (nseg < 1) {
        PyErr_SetString(PyExc_ValueError, "offsets: expected at least one segment");
        return NULL;
    }
    Core *c = (Core *)type->tp_alloc(type, 0);
    if (c == NULL)
        return NULL;
    /* 4 timeline arrays of n, 5 segment arrays of nseg, and nseg + 1 bounds. */
    c->block = PyMem_Calloc((size_t)(4 * n + 6 * nseg + 1) + 1, sizeof(int64_t));
    if (c->block == NULL) {
        Py_DECREF(c);
        return PyErr_NoMemory();
    }
    c->n = n;
    c->nseg = nseg;
    c->starts = c->block;
    c->ends = c->starts + n;
    c->cum = c->ends + n;
    c->cumend = c->cum + n;
    c->offset = c->cumend + n;
    c->safe_lo = c->offset + nseg;
    c->safe_hi = c->safe_lo + nseg;
    c->wall_lo = c->safe_hi + nseg;
    c->wall_hi = c->wall_lo + nseg;
    int64_t *edge = c->wall_hi + nseg; /* nseg + 1 items */
    c->lo = lo;
    c->hi = hi;
    c->horizon = horizon;
    Py_INCREF(zone);
    c->zone = zone;
    if (read_int64s(starts, "starts", &c->starts, n) < 0 ||
        read_int64s(ends, "ends", &c->ends, n) < 0 || read_int64s(cum, "cum", &c->cum, n) < 0 ||
        read_int64s(cumend, "cumend", &c->cumend, n) < 0 ||
        read_int64s(offsets, "offsets", &c->offset, nseg) < 0 ||
        read_int64s(bounds, "bounds", &edge, nseg + 1) < 0) {
        Py_DECREF(c);
        return NULL;
    }
    for (Py_ssize_t k = 0; k < nseg; k++) {
        if (edge[k + 1] <= edge[k]) {
            Py_DECREF(c);
            PyErr_SetString(PyExc_ValueError, "bounds: expected increasing instants");
            return NULL;
        }
    }
    /* Within |change| of an offset change, instants may read as folded wall times
     * and wall times may be missing or doubled: leave both sides to the pure path. */
    for (Py_ssize_t k = 0; k < nseg; k++) {
        const int64_t before = k > 0 ? llabs(c->offset[k] - c->offset[k - 1]) : 0;
        const int64_t after = k + 1 < nseg ? llabs(c->offset[k + 1] - c->offset[k]) : 0;
        const int64_t wall_before = k > 0 ? before : EDGE_PAD;
        const int64_t wall_after = k + 1 < nseg ? after : EDGE_PAD;
        c->safe_lo[k] = edge[k] + before;
        c->safe_hi[k] = edge[k + 1] - after;
        c->wall_lo[k] = edge[k] + c->offset[k] + wall_before;
        c->wall_hi[k] = edge[k + 1] + c->offset[k] - wall_after;
        /* Keep the search arrays increasing where a segment is shorter than its
         * margins: shrinking a range only leaves more to the pure path. */
        if (k > 0 && c->safe_lo[k] < c->safe_hi[k - 1])
            c->safe_lo[k] = c->safe_hi[k - 1];
        if (k > 0 && c->wall_lo[k] < c->wall_hi[k - 1])
            c->wall_lo[k] = c->wall_hi[k - 1];
        if (c->safe_hi[k] < c->safe_lo[k])
            c->safe_hi[k] = c->safe_lo[k];
        if (c->wall_hi[k] < c->wall_lo[k])
            c->wall_hi[k] = c->wall_lo[k];
    }
    return (PyObject *)c;
}

static PyObject *
core_get_nbytes(Core *c, void *closure)
{
    (void)closure;
    return PyLong_FromSsize_t((Py_ssize_t)sizeof(Core) +
                              (4 * c->n + 6 * c->nseg + 2) * (Py_ssize_t)sizeof(int64_t));
}

static PyObject *
core_get_len(Core *c, void *closure)
{
    (void)closure;
    return PyLong_FromSsize_t(c->n);
}

static PyGetSetDef core_getset[] = {
    {"nbytes", (getter)core_get_nbytes, NULL, "Bytes held by the core.", NULL},
    {"intervals", (getter)core_get_len, NULL, "Number of open intervals held.", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyMethodDef core_methods[] = {
    {"add", (PyCFunction)(void (*)(void))core_add, METH_FASTCALL, core_add_doc},
    {"subtract", (PyCFunction)(void (*)(void))core_subtract, METH_FASTCALL, core_subtract_doc},
    {"between", (PyCFunction)(void (*)(void))core_between, METH_FASTCALL, core_between_doc},
    {"is_open", (PyCFunction)core_is_open, METH_O, core_is_open_doc},
    {"next_open", (PyCFunction)core_next_open, METH_O, core_next_open_doc},
    {"next_close", (PyCFunction)core_next_close, METH_O, core_next_close_doc},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject CoreType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "expectkit._ccore.Core",
    .tp_basicsize = sizeof(Core),
    .tp_dealloc = (destructor)core_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = core_doc,
    .tp_methods = core_methods,
    .tp_getset = core_getset,
    .tp_new = core_new,
};

static struct PyModuleDef ccore_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "expectkit._ccore",
    .m_doc = "The compiled core of expectkit's schedule engine (see expectkit.time.backend).",
    .m_size = -1,
};

PyMODINIT_FUNC
PyInit__ccore(void)
{
    PyDateTime_IMPORT;
    if (PyDateTimeAPI == NULL)
        return NULL;
    str_utcoffset = PyUnicode_InternFromString("utcoffset");
    if (str_utcoffset == NULL)
        return NULL;
    if (PyType_Ready(&CoreType) < 0)
        return NULL;
    PyObject *module = PyModule_Create(&ccore_module);
    if (module == NULL)
        return NULL;
    Py_INCREF(&CoreType);
    if (PyModule_AddObject(module, "Core", (PyObject *)&CoreType) < 0) {
        Py_DECREF(&CoreType);
        Py_DECREF(module);
        return NULL;
    }
    return module;
}
