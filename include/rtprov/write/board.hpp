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
#include <utility>

#include "rtprov/transport/transport.hpp"
#include "rtprov/write/events.hpp"
#include "rtprov/write/job.hpp"

namespace rtprov::write {

// A board's link: its name in events and records, and how to open (and re-open) it.
struct Port {
    using Opener = std::function<std::unique_ptr<transport::Transport>()>;
    using BootCheck = std::function<std::pair<bool, std::string>()>;
    Port() = default;
    Port(std::string port_name, Opener opener, BootCheck check = {})
        : name(std::move(port_name)), open(std::move(opener)), boot_check(std::move(check)) {}

    std::string name;
    std::function<std::unique_ptr<transport::Transport>()> open;
    // A simulated part's own boot check (sim:auto), run after the reset step: would it boot
    // from what is on it now? ok + why. Empty for hardware (then --boot-check watches the port).
    std::function<std::pair<bool, std::string>()> boot_check;
};

// `rtprov write`'s exit code when every board was written but some without the package's
// fuse plan (Outcome::PassedUnfused): not 0, as the boards are not finished.
inline constexpr int kExitPassedUnfused = 6;

// Writes one board and returns its result; never throws for the board's own failures (link,
// device, verification: they are in the result, Outcome::Failed, with the step). Events go to
// `sink` as they happen, the last one the Result. When `stop` becomes true the board stops at
// the next chunk boundary (Outcome::Interrupted).
BoardResult write_board(const Job& job, const WriteOptions& options, const Port& port,
                        const EventSink& sink, const std::atomic<bool>* stop = nullptr);

// The exit code of a run from its boards' results: 0 when every board passed (or was a dry
// run), else the exit code of the most serious failure (verification 4 before device 3 before
// the rest; a refused board by its error's code); 3 for an interrupted board; 6 when the only
// shortfall is boards written without their fuse plan (passed-unfused).
int exit_code_of(const std::vector<BoardResult>& results);

}  // namespace rtprov::write
