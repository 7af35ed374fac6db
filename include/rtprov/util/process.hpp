#pragma once
// Which process left a record: this host's name, and whether a process of it still runs. Used
// to tell an attempt still under way from one whose process was killed.

#include <string>

namespace rtprov {

// This machine's host name ("" when it cannot be read).
std::string host_name();

// True while process `pid` of this host runs (a zombie nobody has reaped yet counts as gone).
bool process_alive(long pid);

}  // namespace rtprov
