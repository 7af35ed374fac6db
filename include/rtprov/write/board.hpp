#pragma once
// Writing one board: runs the package's write plan in order over one link. SDP first (the boot
// ROM loads the flashloader, the signed one on a closed part), then MCUBoot on the same port:
// configure memory, erase only the sectors the image covers (or, comparing first, only those
// that differ), write, verify by readback, fuses from the plan with every check of
// fuse_plan.hpp, reset. Link failures are retried with backoff after re-opening the port and
// finding the flashloader again (or loading it again when the part was reset).

#include <atomic>
#include <functional>
#include <memory>
#include <string>

#include "rtprov/transport/transport.hpp"
#include "rtprov/write/events.hpp"
#include "rtprov/write/job.hpp"

namespace rtprov::write {

// A board's link: its name in events and records, and how to open (and re-open) it.
struct Port {
    std::string name;
    std::function<std::unique_ptr<transport::Transport>()> open;
};

// Writes one board and returns its result; never throws for the board's own failures (link,
// device, verification: they are in the result, Outcome::Failed, with the step). Events go to
// `sink` as they happen, the last one the Result. When `stop` becomes true the board stops at
// the next chunk boundary (Outcome::Interrupted).
BoardResult write_board(const Job& job, const WriteOptions& options, const Port& port,
                        const EventSink& sink, const std::atomic<bool>* stop = nullptr);

// The exit code of a run from its boards' results: 0 when every board passed (or was a dry
// run), else the exit code of the most serious failure (verification 4 before device 3 before
// the rest); 3 for an interrupted board.
int exit_code_of(const std::vector<BoardResult>& results);

}  // namespace rtprov::write
