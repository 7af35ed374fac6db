#pragma once
// Shared POSIX helpers for the fd-based transports (UART, Unix socket). Internal to lib/transport.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "rtprov/util/bytes.hpp"

namespace rtprov::transport::detail {

// Waits until fd is readable; false on timeout. Throws Error(Device) naming `who` on poll errors.
bool wait_readable(int fd, std::chrono::milliseconds timeout, const std::string& who);
// Writes all bytes (retrying on EINTR/EAGAIN); throws Error(Device) on failure, "<who>: connection
// closed by the device" when the peer is gone. `socket`: fd is a socket, written with
// MSG_NOSIGNAL so a closed peer is an error, not a SIGPIPE that kills the process.
void write_all(int fd, ByteView data, const std::string& who, bool socket = false);
// One read() of up to buf.size() bytes after wait_readable; 0 on timeout. Throws Error(Device)
// on error and on end of stream ("<who>: connection closed by the device").
std::size_t read_some(int fd, std::span<std::uint8_t> buf, std::chrono::milliseconds timeout,
                      const std::string& who);
// Discards whatever is readable right now.
void drain(int fd);

}  // namespace rtprov::transport::detail
