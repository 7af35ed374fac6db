#pragma once
// The listening Unix stream socket of the simulated USB-HID link (internal to lib/sim).

#include <chrono>
#include <string>

namespace rtprov::sim::detail {

class ListenSocket {
  public:
    // Binds and listens at `path`, replacing a stale socket file. Throws Error(Device).
    explicit ListenSocket(std::string path);
    ~ListenSocket();
    ListenSocket(const ListenSocket&) = delete;
    ListenSocket& operator=(const ListenSocket&) = delete;

    // A connected fd (caller owns it), or -1 when none arrives within `timeout`.
    int accept(std::chrono::milliseconds timeout);

  private:
    int fd_ = -1;
    std::string path_;
};

}  // namespace rtprov::sim::detail
