#pragma once
// The OCOTP fuse array of one part, as the device database maps it. Programming ORs bits in
// (fuses are write-once: a 1 never goes back to 0); write-lock bits in the LOCK word make the
// words they guard read-only. Shadow registers are readable by address (kOcotpBase + offset).

#include <cstdint>
#include <optional>
#include <vector>

#include "rtprov/device/device.hpp"

namespace rtprov::sim {

enum class FuseStatus {
    Ok,
    UnknownIndex,  // no fuse word with this OTP index on the part
    Locked,        // the word's write-lock bit is set in LOCK
};

class Fuses {
  public:
    // All words zero except the factory-programmed unique ID (UUID0/1, derived from the part).
    explicit Fuses(const device::Device& device);

    const device::Device& device() const { return *device_; }

    // The value of the word with OTP index `index`, or nullopt when the part has no such word.
    std::optional<std::uint32_t> read(std::uint32_t index) const;
    // ORs `bits` into word `index`. Locked words and unknown indices change nothing.
    FuseStatus program(std::uint32_t index, std::uint32_t bits);
    // Reads a shadow register by absolute address (FuseWord::shadow); nullopt when no word is
    // there.
    std::optional<std::uint32_t> read_shadow(std::uint32_t address) const;
    // True when the LOCK word write-protects word `index`.
    bool locked(std::uint32_t index) const;
    // SEC_CONFIG[1] is set: HAB is closed and only authenticated images boot.
    bool hab_closed() const;
    // The value of a named field ("SEC_CONFIG[1]", "SRK_LOCK"); 0 when the part has no such field.
    std::uint32_t field(std::string_view name) const;

    // Every word with its current value, in database order (for persistence and inspect).
    struct Word {
        const device::FuseWord* word;
        std::uint32_t value;
    };
    std::vector<Word> words() const;
    // Sets a word without OR/lock rules (restoring persisted state only).
    void restore(std::uint32_t index, std::uint32_t value);

    // The factory unique ID as `rtprov write` reports it: UUID1 (high word) then UUID0.
    std::uint64_t uid() const;
    // Sets UUID0/UUID1 (factory-programmed: no OR/lock rules).
    void set_uid(std::uint64_t uid);

  private:
    std::optional<std::size_t> slot(std::uint32_t index) const;

    const device::Device* device_;
    std::vector<std::uint32_t> values_;  // parallel to device_->fuses
};

// A random unique ID with both words non-zero (a new simulated part).
std::uint64_t random_uid();

}  // namespace rtprov::sim
