// SPDX-License-Identifier: GPL-2.0
/*
 * ccheap: shared (decrypted) dma-buf heap tool for confidential VMs.
 */
#include "ccheap.h"

int main(int argc, char **argv)
{
	return ccheap_main(argc, argv, stdout, stderr);
}
