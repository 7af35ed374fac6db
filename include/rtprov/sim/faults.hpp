#pragma once
// Seeded fault injection for the simulator's link and flash: the same SPEC and seed give the same
// faults, so a failing host run can be replayed.
//
// SPEC: comma-separated key=value items, every key optional:
//   drop=P               drop each received byte with probability P (0..1)
//   crc=P                corrupt the CRC of each sent MCUBoot UART frame with probability P
//   nak=P                answer a good MCUBoot UART frame with NAK instead of ACK, probability P
//   delay-ack=P[:T]      delay an ACK by T (default 100ms; units ms or s) with probability P
//   disconnect-after=N   drop the link after N received bytes (HID: close the connection;
//                        UART: hang up the pty and open a new one)
//   program-fail=P       fail a flash program (write-memory / fill-memory) with probability P
//   power-loss-after=N   lose power after N more bytes of flash programming: the write stops
//                        part way, the state is saved as partially written and the sim exits

#include <chrono>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <string_view>

namespace rtprov::sim {

struct FaultSpec {
    double drop = 0;
    double crc = 0;
    double nak = 0;
    double delay_ack = 0;
    std::chrono::milliseconds delay_ack_time{100};
    std::optional<std::uint64_t> disconnect_after;
    double program_fail = 0;
    std::optional<std::uint64_t> power_loss_after;
    bool operator==(const FaultSpec&) const = default;
};

// Parses SPEC (see above; "" = no faults). Throws Error(Usage) naming the item:
// "--faults: unknown fault 'dorp' (known: drop, crc, nak, delay-ack, disconnect-after,
// program-fail, power-loss-after)", "--faults: drop=2: probability must be between 0 and 1".
FaultSpec parse_fault_spec(std::string_view spec);
// The canonical SPEC text of `spec` (only non-default items).
std::string to_string(const FaultSpec& spec);

// How many faults of each kind fired so far.
struct FaultCounts {
    std::uint64_t drop = 0;
    std::uint64_t crc = 0;
    std::uint64_t nak = 0;
    std::uint64_t delay_ack = 0;
    std::uint64_t program_fail = 0;
};

// Draws the faults of one run from a seeded generator and counts those that fired (so a test can
// tell a run that met a fault from one that did not).
class FaultInjector {
  public:
    FaultInjector(FaultSpec spec, std::uint64_t seed) : spec_(spec), rng_(seed) {}
    const FaultSpec& spec() const { return spec_; }

    bool drop_byte() { return chance(spec_.drop, counts_.drop); }
    bool corrupt_crc() { return chance(spec_.crc, counts_.crc); }
    bool nak() { return chance(spec_.nak, counts_.nak); }
    bool program_fail() { return chance(spec_.program_fail, counts_.program_fail); }
    // How long to hold back the next ACK (zero most of the time).
    std::chrono::milliseconds ack_delay() {
        return chance(spec_.delay_ack, counts_.delay_ack) ? spec_.delay_ack_time
                                                          : std::chrono::milliseconds{0};
    }
    // Faults fired so far.
    const FaultCounts& counts() const { return counts_; }

  private:
    bool chance(double p, std::uint64_t& fired) {
        const bool hit = p > 0 && std::uniform_real_distribution<double>(0, 1)(rng_) < p;
        fired += hit ? 1 : 0;
        return hit;
    }

    FaultSpec spec_;
    std::mt19937_64 rng_;
    FaultCounts counts_;
};

}  // namespace rtprov::sim
