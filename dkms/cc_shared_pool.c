// SPDX-License-Identifier: GPL-2.0
/*
 * The pool of system_cc_shared.c, as an object of the module
 * system_cc_shared.ko: kbuild cannot name a module after one of its own
 * objects, so the file is built under this name, unchanged.
 */
#include "system_cc_shared.c"
