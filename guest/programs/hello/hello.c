/* hello.exe: greets, lists its arguments, returns 0. The smallest check that
 * the loader, crt0 (command line → argv) and console output work. */
#include <stdio.h>

int main(int argc, char **argv)
{
  printf("Hello from neptune! (a native NT program, %d argument%s)\n", argc - 1, argc == 2 ? "" : "s");
  for (int i = 0; i < argc; i++)
    printf("argv[%d] = \"%s\"\n", i, argv[i]);
  return 0;
}
