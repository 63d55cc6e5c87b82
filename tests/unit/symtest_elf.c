// SPDX-License-Identifier: MIT
/* symtest_elf.c - the ELF test_symbolize reads (built, not run): known functions. */
__attribute__((noinline)) int known_function(int x)
{
	return x * 3 + 1;
}

__attribute__((noinline)) int other_function(int x)
{
	return known_function(x) - 2;
}

int main(int argc, char **argv)
{
	(void)argv;
	return other_function(argc);
}
