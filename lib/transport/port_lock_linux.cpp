// The holder of a port's lock from /proc/locks: the kernel's own table of flocks, which names
// the PID and the file (device major:minor:inode) of each. A lock file with a PID in it (UUCP
// style) would outlive a killed process; the flock and this table do not.

#include "port_lock.hpp"

#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "rtprov/util/error.hpp"

namespace rtprov::transport::detail {

namespace {

std::string process_name(long pid) {
    std::ifstream in(fmt::format("/proc/{}/comm", pid));
    std::string name;
    std::getline(in, name);
    return name;
}

}  // namespace

std::optional<long> flock_holder(int fd) {
    struct stat st {};
    if (::fstat(fd, &st) != 0)
        return std::nullopt;
    const std::string file = fmt::format("{:02x}:{:02x}:{}", major(st.st_dev), minor(st.st_dev),
                                         static_cast<unsigned long>(st.st_ino));
    // "1: FLOCK  ADVISORY  WRITE 1234 00:19:7 0 EOF"; waiters' lines have "->" after the id.
    std::ifstream locks("/proc/locks");
    for (std::string line; std::getline(locks, line);) {
        std::istringstream in(line);
        std::string id, kind, advisory, mode, pid, where;
        in >> id >> kind;
        if (kind != "FLOCK")
            continue;
        in >> advisory >> mode >> pid >> where;
        if (where == file) {
            try {
                return std::stol(pid);
            } catch (const std::exception&) {
                return std::nullopt;
            }
        }
    }
    return std::nullopt;
}

void lock_port(int fd, const std::string& path) {
    if (::flock(fd, LOCK_EX | LOCK_NB) == 0)
        return;
    if (errno != EWOULDBLOCK) {
        throw Error(ErrorCode::Device,
                    fmt::format("{}: cannot lock the port: {}", path, std::strerror(errno)));
    }
    const auto pid = flock_holder(fd);
    const std::string who =
        pid ? fmt::format("PID {}{}", *pid,
                          process_name(*pid).empty() ? "" : " (" + process_name(*pid) + ")")
            : std::string("another process");
    throw Error(
        ErrorCode::Device,
        fmt::format("{} is in use by {}: one port is driven by one process at a time", path, who));
}

}  // namespace rtprov::transport::detail
