#pragma once
// One process per port (internal to lib/transport): an exclusive flock on the open device, and
// who holds it when it is taken.

#include <optional>
#include <string>

namespace rtprov::transport::detail {

// Takes an exclusive lock on the open port `fd` (flock LOCK_EX | LOCK_NB; released when the fd
// is closed, also when the process is killed). Throws Error(Device) "PATH is in use by PID N
// (NAME): ..." when another process (or another open of this one) holds it.
void lock_port(int fd, const std::string& path);

// The PID holding a flock on the file `fd` is open on, from /proc/locks (Linux); nullopt when
// it cannot be told.
std::optional<long> flock_holder(int fd);

}  // namespace rtprov::transport::detail
