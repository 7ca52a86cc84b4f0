// CZ3: the Z3 C API (Debian libz3-dev, /usr/include/z3.h) as a Swift system module.
// Only Z3Kit imports it; everything else speaks Z3Kit.
#ifndef BULKHEAD_CZ3_SHIM_H
#define BULKHEAD_CZ3_SHIM_H
#include <z3.h>
#endif
