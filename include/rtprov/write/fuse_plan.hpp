#pragma once
// The fuse plan of one board, before anything is burned: every word the job would program (the
// package's program-fuses words, SEC_CONFIG[1] with --close, the lock fields last) with the
// value the board holds now and the value it must hold afterwards, and the checks that refuse a
// board before any fuse changes. Pure functions: the board engine reads the fuses and burns.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "rtprov/write/events.hpp"
#include "rtprov/write/job.hpp"

namespace rtprov::write {

// Reads one fuse word by OTP index (the engine: efuse-read-once).
using FuseReader = std::function<std::uint32_t(std::uint32_t index)>;

// The rows of the plan, in burning order (a partial word's row: `mask` its bits, `target` the word
// with them set; a secret word's row: values 0, status from the secret in job.secrets; a dry run
// without it: Assigned): the words of every program-fuses step, then (with
// --close) BOOT_CFG1 with SEC_CONFIG[1], then one LOCK row per lock-fuses step. Rows already
// holding their value are Unchanged; rows whose flag is missing are Skipped; rows that cannot
// reach their value (bits set the value lacks, or write-locked) are Conflict; the rest Planned.
// Throws Error(BadInput) when the plan names a word or field the part does not have.
std::vector<FuseRow> plan_fuses(const Job& job, const WriteOptions& options,
                                const FuseReader& read);

// The rows of a per-board value going into fuse words (purpose "data NAME"), `words[i]` the
// value data.fuses[i] must hold: Unchanged when it does already, Skipped without
// --burn-data-fuses, Conflict when it holds bits the value lacks, else Planned. Throws
// Error(BadInput) when the part has no such word.
std::vector<FuseRow> plan_data_fuses(const Job& job, const WriteOptions& options,
                                     const pkg::BoardData& data,
                                     const std::vector<std::uint32_t>& words,
                                     const FuseReader& read);

// The rows of a per-board value whose bytes are not known yet (a dry run reserves nothing):
// one per word of data.fuses, Assigned with --burn-data-fuses (the run burns the board's value
// there), else Skipped. Throws Error(BadInput) when the part has no such word.
std::vector<FuseRow> plan_unassigned_data_fuses(const Job& job, const WriteOptions& options,
                                                const pkg::BoardData& data,
                                                const FuseReader& read);

// Why the board must not be touched, or nullopt: a Conflict row that would be burned, or --close
// while the SRK words cannot end up holding the hash the package's image is signed for. Message
// e.g. "SRK3 (index 0x1B) holds 0x00000100, which has bits 0x12345678 lacks: refusing to burn
// any fuse" or "closing refused: SRK fuses hold 0x..., the package's image is signed for 0x...".
std::optional<std::string> fuse_refusal(const std::vector<FuseRow>& rows, const Job& job,
                                        const WriteOptions& options);

// The 1-bit mask of a field inside its word (the low bit of a 2-bit lock field: its write lock).
std::uint32_t field_bit(const device::FuseField& field);

// The value `plan` burns: its value, or its secret's 4 bytes (little-endian) from job.secrets;
// nullopt when that secret is not open. Throws Error(BadInput) for a secret of another size.
std::optional<std::uint32_t> planned_value(const Job& job, const pkg::FuseWordPlan& plan);

// The flag that lets `row` be burned: "--burn-srk" (SRK words, SRK_LOCK, other package words),
// "--burn-encryption" (words and locks of the BEE/OTFAD features), "--burn-data-fuses"
// (per-board words), "--close" (SEC_CONFIG[1]); and whether `options` gives it.
std::string_view flag_for(const FuseRow& row);
bool burn_allowed(const FuseRow& row, const WriteOptions& options);

// How a row's value is shown: "0x0000a010", or "secret (SW_GP2_0)" for a secret word (never its
// value).
std::string fuse_value_text(const FuseRow& row, std::uint32_t value);

// "SRK0 0x00000000 -> 0x1234abcd (planned)" for one row; "BOOT_CFG1 0x00000000 -> 0x00003010
// (bits 0x00003010) (planned)" for a partial word; "SW_GP2_0 secret (SW_GP2_0) -> secret
// (SW_GP2_0) (planned)" for a secret one.
std::string describe_row(const FuseRow& row);

}  // namespace rtprov::write
