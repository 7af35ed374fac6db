#pragma once
// What a package's write plan does, as data and in words: every step in order, every memory
// range a step erases, writes or verifies, every fuse word the run may touch. Derived from the
// write plan (what `rtprov write` runs), never from images[]; `import-pkg`, README.txt and
// `write --dry-run` all show this one description, so they cannot disagree.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "rtprov/pkg/manifest.hpp"

namespace rtprov::pkg {

// A memory range one step touches: [start, start + length) of memory `memory_id`. 64-bit, so a
// length that overflows the 32-bit address space shows as it is, not wrapped.
struct PlannedRange {
    std::size_t step = 0;       // the step's number (1-based)
    StepOp op = StepOp::Erase;  // erase, write, verify or per-board-data
    std::uint32_t memory_id = 0;
    std::uint64_t start = 0;
    std::uint64_t length = 0;
    std::string what;  // write/verify: the package file; per-board-data: the value's name
    friend bool operator==(const PlannedRange&, const PlannedRange&) = default;
};

// How a planned fuse word gets its value.
enum class PlannedValue {
    Word,      // the word is programmed to `value` (program-fuses, from fuses[])
    Bits,      // the bits `value` are set in the word (a lock field, SEC_CONFIG[1])
    PerBoard,  // each board's own value, assigned at write time (per-board-data)
    Secret,    // (2.2) a key word: the value is the package's secret of that word, never shown
};

// A fuse word the run may touch. `index` is the OTP index the run programs (fuses[] for
// program-fuses, rtprov's device database otherwise); nullopt when neither knows the word.
struct PlannedFuse {
    std::size_t step = 0;  // the step's number; 0 for closing (`write --close`, no step)
    StepOp op = StepOp::ProgramFuses;
    std::string word;  // "SRK0", "LOCK", "MAC0", "BOOT_CFG1"
    std::optional<std::uint32_t> index;
    // The device database's index of `word` when it differs from `index` (a manifest that
    // disagrees with the part), else nullopt.
    std::optional<std::uint32_t> database_index;
    PlannedValue kind = PlannedValue::Word;
    std::uint32_t value = 0;  // Word: the new value; Bits: the bits set; PerBoard: 0
    std::string purpose;      // "srk", "fuse", "lock SRK_LOCK", "data mac", "close"
    std::string needs;        // the flag without which it is not burned: "--burn-srk", ...
    friend bool operator==(const PlannedFuse&, const PlannedFuse&) = default;
};

struct PlannedStep {
    std::size_t number = 0;  // 1-based, as README.txt and the write log number them
    StepOp op = StepOp::Reset;
    std::string text;  // one line: "erase memory 0x9 (flexspi-nor) 0x60000000..0x60004FFF, ..."
    friend bool operator==(const PlannedStep&, const PlannedStep&) = default;
};

struct PlanView {
    std::vector<PlannedStep> steps;
    std::vector<PlannedRange> ranges;  // in step order
    std::vector<PlannedFuse> fuses;    // in the order the run burns them; closing last
    // Facts a reviewer must not miss ("fuses[] lists SRK0, which no step burns").
    std::vector<std::string> notes;
    friend bool operator==(const PlanView&, const PlanView&) = default;
};

// The description of `manifest`'s write plan. Fuse indices of lock fields, per-board words and
// closing come from rtprov's device database for manifest.device (unknown there: no index).
PlanView describe_plan(const Manifest& manifest);

// "memory 0x9 (flexspi-nor) 0x60000000..0x60004FFF (20480 bytes)".
std::string describe_range(const PlannedRange& range);

// "SRK0       OTP index 0x18  0xAE20901C              step 6 program-fuses (srk), needs
// --burn-srk" (one line; per-board words "assigned at write time").
std::string describe_fuse(const PlannedFuse& fuse);

// The description as text: three sections (the steps, the memory ranges, the fuse words) with
// a title line each, separated by an empty line. README.txt, import-pkg and write --dry-run
// print these lines.
std::vector<std::string> plan_lines(const PlanView& view);

// The description as JSON: {"steps": [{"step", "op", "text"}], "memory_ranges": [{"step",
// "op", "memory_id", "start", "end", "length", "file"}], "fuse_words": [{"step", "op", "word",
// "index", "database_index", "kind", "value", "purpose", "needs", "text"}], "notes": [...]}.
nlohmann::json plan_json(const PlanView& view);

}  // namespace rtprov::pkg
