// A TCP socket bound to an ephemeral port on 127.0.0.1, for tests that need
// a peer misbehaving below HTTP (refusing, silent, dropping connections).
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace resetd::clients::http {

// Binds a new socket to 127.0.0.1:0 and, when `listening`, listens on it
// (backlog 8). Returns the fd (-1 on failure) and sets `port`. Bound but
// not listening, connecting is refused and no other process can take the
// port while the fd stays open.
inline int BindLoopback(bool listening, int& port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      (listening && listen(fd, 8) != 0) ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    close(fd);
    return -1;
  }
  port = ntohs(addr.sin_port);
  return fd;
}

}  // namespace resetd::clients::http
