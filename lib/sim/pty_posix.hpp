#pragma once
// A pseudo-terminal for the simulated UART (internal to lib/sim). The simulator owns the master
// side; hosts open the slave path like any serial port. The slave is also held open here, so the
// master never sees a hang-up while no host is connected.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "rtprov/util/bytes.hpp"

namespace rtprov::sim::detail {

class Pty {
  public:
    // Opens a new pty in raw mode (8N1, no echo). Throws Error(Device) when the system has none.
    Pty();
    ~Pty();
    Pty(const Pty&) = delete;
    Pty& operator=(const Pty&) = delete;

    const std::string& slave_path() const { return slave_path_; }
    // Reads what has arrived, waiting at most `timeout`; 0 on timeout.
    std::size_t read(std::span<std::uint8_t> buf, std::chrono::milliseconds timeout);
    // Writes all bytes; gives up after 2 s without progress (no host draining the slave).
    void write(ByteView data);

  private:
    int master_ = -1;
    int slave_ = -1;
    std::string slave_path_;
};

// Points `link` at `target` (replacing an existing symlink). Throws Error(Io) on failure.
void make_symlink(const std::string& target, const std::string& link);

}  // namespace rtprov::sim::detail
