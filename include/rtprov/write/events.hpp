#pragma once
// What `rtprov write` reports while it runs: events per board (step start/end, progress, the fuse
// plan, retries, warnings) and the final result of each board. The library only emits them to an
// EventSink; the CLI draws them (live lines on a terminal, plain lines, or JSON lines) and the
// board log (board_log.hpp) records them. docs/write-json.md documents their JSON form.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rtprov/util/error.hpp"

namespace rtprov::write {

// What happens (or happened) to one fuse word of the board's fuse plan.
enum class FuseStatus {
    Planned,       // will be programmed (the plan, before anything is burned)
    Unchanged,     // already holds the new value: nothing to burn
    Programmed,    // burned in this run and read back equal
    Failed,        // burning failed or read back wrong (read_back says what is there)
    Unconfirmed,   // the program command was sent but the link was lost before it was read back
    NotAttempted,  // an earlier word failed: not touched
    Skipped,       // not burned: the flag it needs (--burn-srk, --close) was not given
    Conflict,      // holds bits the new value lacks, or is locked with another value: refused
    Assigned,      // dry run: a per-board word the run burns with the board's value, which is
                   // assigned at write time (not reserved in a dry run; `target` means nothing)
};
// "planned", "unchanged", "programmed", "failed", "unconfirmed", "not-attempted", "skipped",
// "conflict", "assigned".
std::string_view fuse_status_name(FuseStatus status);

// One fuse word: the plan (current -> new) and, as the run goes on, what landed.
struct FuseRow {
    std::string word;  // "SRK0", "BOOT_CFG1" (closing), "LOCK" (lock fields)
    std::uint32_t index = 0;
    std::uint32_t current = 0;  // read before anything was burned
    std::uint32_t target = 0;   // the value the word must hold afterwards
    std::string purpose;        // "srk", "encryption", "close", "lock SRK_LOCK"
    FuseStatus status = FuseStatus::Planned;
    std::optional<std::uint32_t> read_back;  // after programming (or at the failure)
    // The bits of the word the plan owns (BEE_KEY0_SEL and BT_FUSE_SEL of BOOT_CFG1): only these
    // are burned and compared; `target` is `current` with them set.
    std::uint32_t mask = 0xFFFFFFFF;
    // A key word whose value is the package's secret of this name ("fuse:SW_GP2_0"): current,
    // target and read_back then stay 0 / empty, so that no event, record or log holds the key.
    std::string secret;
    friend bool operator==(const FuseRow&, const FuseRow&) = default;
};

// How a board ended (docs/write.md lists each with its exit code):
//   Passed         written, verified, the package's fuse plan burned (or waived with --no-fuses),
//                  and, where rtprov can know (simulator, --boot-check), it boots;
//   PassedUnfused  written and verified, but fuse words of the package's plan were left unburned
//                  (--burn-srk / --burn-data-fuses not given): not a finished board;
//   Refused        the station refused the board before changing anything on it (quota reached,
//                  the same board at another port, no per-board value left);
//   Failed         a step failed (link, device, a check), or the board does not boot.
enum class Outcome { Running, Passed, PassedUnfused, Refused, Failed, DryRun, Interrupted };
// "running", "passed", "passed-unfused", "refused", "failed", "dry-run", "interrupted".
std::string_view outcome_name(Outcome outcome);

// How one step of the write plan went.
struct StepRecord {
    std::size_t index = 0;  // position in the manifest's write_plan (the close step: after fuses)
    std::string op;         // "load-flashloader", ..., "close" (--close), "read-fuses"
    std::string status;     // "ok", "skipped", "failed"
    double seconds = 0;
    std::string detail;  // "12 of 16 sectors unchanged", "jumped to 0x20208400 (HAB open)"
};

struct ImageRecord {
    std::string file;
    std::string sha256;
    std::uint32_t memory_id = 0;
    std::uint32_t address = 0;
    std::uint64_t size = 0;
};

// A per-board value (a per-board-data step): what it is, where it goes, whether it landed.
struct BoardValue {
    std::string name;    // the step's name ("serial")
    std::string source;  // "counter", "csv", "uid"
    std::string value;   // as reserved or read ("1000", "00:1b:c5:0a:00:01", the UID)
    std::string target;  // "memory 9 at 0x60100000", "fuses MAC0, MAC1"
    std::string status;  // "reserved", "written", "unchanged", "skipped", "failed"
    friend bool operator==(const BoardValue&, const BoardValue&) = default;
};

// How the package's signature stands for a run (BoardResult::trust, the records, the summary).
enum class Trust {
    Trusted,        // signed, and a trust key confirmed the signature
    Unverified,     // no trust key confirmed it; the run burns no fuse
    UnsignedFuses,  // no trust key confirmed it, and fuses may be burned: --allow-unsigned-fuses
};
// "trusted", "unverified", "unsigned-fuses-allowed".
std::string_view trust_name(Trust trust);

// The result of one board: everything a production record needs.
struct BoardResult {
    std::string board;  // the port it was written through ("uart:/dev/ttyUSB0,115200")
    Outcome outcome = Outcome::Running;
    std::optional<std::string> uid;  // UUID1:UUID0 from the fuses, 16 hex digits
    std::string device;
    std::string package_sha256;
    std::optional<bool> hab_closed;  // as the boot ROM reported it
    std::vector<ImageRecord> images;
    std::vector<FuseRow> fuses;
    std::vector<StepRecord> steps;
    std::vector<BoardValue> data;  // per-board values (records; not in the JSON events)
    std::uint64_t bytes_written = 0;
    std::uint64_t bytes_unchanged = 0;  // skipped by sector comparison (--skip-unchanged, resume)
    bool resumed = false;               // an interrupted attempt of this board was found in --log
    unsigned retries = 0;
    double seconds = 0;
    std::string started_at;  // UTC, ISO 8601
    // The failure: code, message (which names the board's step) and the step's op.
    std::optional<ErrorCode> error_code;
    std::string error;
    std::string error_step;
    // What is known about booting: "boots: ..." / "does not boot: ..." from the simulator or
    // --boot-check, "not checked" otherwise.
    std::string boot_check = "not checked";
    bool fuses_waived = false;  // --no-fuses: the package's fuse plan was left out on purpose
    Trust trust = Trust::Unverified;  // the package's signature for this run (Job::trust)
};

enum class EventKind { Start, StepStart, StepEnd, Progress, FusePlan, Retry, Warning, Result };
// "start", "step-start", "step-end", "progress", "fuse-plan", "retry", "warning", "result".
std::string_view event_kind_name(EventKind kind);

// One event. Which fields mean something depends on `kind` (docs/write-json.md).
struct Event {
    EventKind kind = EventKind::Warning;
    std::string board;
    double time = 0;         // seconds since the board started
    std::size_t step = 0;    // StepStart/StepEnd/Progress/Retry: step index
    std::string op;          // ... and its op
    std::uint64_t done = 0;  // Progress: bytes done of total
    std::uint64_t total = 0;
    double rate = 0;                      // Progress: bytes per second so far
    std::optional<double> eta;            // Progress: seconds left at that rate
    std::string status;                   // StepEnd: "ok", "skipped", "failed"
    double seconds = 0;                   // StepEnd: the step's duration
    std::string message;                  // StepEnd detail, Warning/Retry text
    unsigned attempt = 0;                 // Retry: the attempt about to start (2 = first retry)
    unsigned delay_ms = 0;                // Retry: backoff before it
    const BoardResult* result = nullptr;  // the board's record so far (final with Result)
};

// Receives events; called from the board's thread (the runner serializes calls).
using EventSink = std::function<void(const Event&)>;

}  // namespace rtprov::write
