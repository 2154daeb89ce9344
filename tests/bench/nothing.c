/* SPDX-License-Identifier: ISC */
/* The floor: a static program that does nothing, to compare start-up. */
int
main(void)
{
	return 0;
}
