/* orphan-burst N SECONDS: forks N children that each sleep SECONDS and exit, then exits itself,
 * so that all N become orphans of PID 1 at once (tests/faults/test_faults.sh, case orphans).
 * No exec per child: a shell loop of `sleep &` needs minutes for 10,000 on a busy 2-core box. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char** argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: orphan-burst N SECONDS\n");
    return 2;
  }
  int n = atoi(argv[1]), made = 0;
  struct timespec t = {atoi(argv[2]), 0};
  for (int i = 0; i < n; ++i) {
    pid_t pid = fork();
    if (pid == 0) {
      nanosleep(&t, NULL);
      _exit(0);
    }
    if (pid > 0) ++made;
  }
  printf("%d\n", made);
  return made == n ? 0 : 1;
}
