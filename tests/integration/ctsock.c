/* A tiny socket client for tests/integration/test_sockets.sh (the busybox tree has no socat, and
 * busybox nc knows neither UNIX sockets nor datagrams). Built static by the test.
 *
 *   ctsock tcp HOST PORT MSG [HOLD_SECS]   connect, send MSG, wait HOLD_SECS, shut down the
 *                                          write side, print everything received until EOF
 *   ctsock abstract NAME MSG [HOLD_SECS]   the same to the abstract UNIX address NAME
 *   ctsock dgram PATH MSG                  one datagram to the UNIX path PATH ("@x": abstract),
 *                                          e.g. $NOTIFY_SOCKET READY=1; exits at once
 * Exit 0 on success, 1 with a message on stderr otherwise. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static int fail(const char* what) {
  perror(what);
  return 1;
}

static socklen_t unix_address(const char* path, int abstract, struct sockaddr_un* sun) {
  size_t n = strlen(path);
  memset(sun, 0, sizeof(*sun));
  sun->sun_family = AF_UNIX;
  if (n + 2 > sizeof(sun->sun_path)) n = sizeof(sun->sun_path) - 2;
  memcpy(sun->sun_path + (abstract ? 1 : 0), path, n);
  return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + 1);
}

static int converse(int fd, const char* msg, int hold) {
  size_t len = strlen(msg);
  if (write(fd, msg, len) != (ssize_t)len || write(fd, "\n", 1) != 1) return fail("write");
  if (hold > 0) sleep((unsigned)hold);
  shutdown(fd, SHUT_WR);
  char buf[4096];
  ssize_t n;
  while ((n = read(fd, buf, sizeof(buf))) > 0) fwrite(buf, 1, (size_t)n, stdout);
  return n < 0 ? fail("read") : 0;
}

int main(int argc, char** argv) {
  if (argc >= 5 && strcmp(argv[1], "tcp") == 0) {
    struct sockaddr_in a;
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_port = htons((unsigned short)atoi(argv[3]));
    if (inet_pton(AF_INET, argv[2], &a.sin_addr) != 1) return fail("address");
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0 || connect(fd, (struct sockaddr*)&a, sizeof(a)) != 0) return fail("connect");
    return converse(fd, argv[4], argc > 5 ? atoi(argv[5]) : 0);
  }
  if (argc >= 4 && strcmp(argv[1], "abstract") == 0) {
    struct sockaddr_un sun;
    socklen_t len = unix_address(argv[2], 1, &sun);
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (fd < 0 || connect(fd, (struct sockaddr*)&sun, len) != 0) return fail("connect");
    return converse(fd, argv[3], argc > 4 ? atoi(argv[4]) : 0);
  }
  if (argc == 4 && strcmp(argv[1], "dgram") == 0) {
    struct sockaddr_un sun;
    int abstract = argv[2][0] == '@';
    socklen_t len = unix_address(argv[2] + abstract, abstract, &sun);
    int fd = socket(AF_UNIX, SOCK_DGRAM, 0);
    size_t n = strlen(argv[3]);
    if (fd < 0 || sendto(fd, argv[3], n, 0, (struct sockaddr*)&sun, len) != (ssize_t)n)
      return fail("sendto");
    return 0;
  }
  fprintf(stderr,
          "usage: ctsock tcp HOST PORT MSG [HOLD] | abstract NAME MSG [HOLD] | dgram PATH MSG\n");
  return 1;
}
