/* Holds a network namespace for a sandbox (runner/netns-pool.ts): sleeps until told to stop. */
#include <signal.h>
#include <unistd.h>

static void quit(int sig) {
  (void)sig;
  _exit(0);
}

int main(void) {
  signal(SIGTERM, quit);
  signal(SIGINT, quit);
  for (;;) pause();
}
