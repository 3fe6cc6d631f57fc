/* SPDX-License-Identifier: GPL-2.0 */
/* Tracepoints compile to nothing in the harness. */
