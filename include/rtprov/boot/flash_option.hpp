#pragma once
// FlexSPI NOR configuration option words: what the RT10xx flashloader's configure-memory takes
// instead of a whole FCB (NXP's serial_nor_config_option_t, option word 0), and how an option
// agrees with an FCB. Bit layout (SPSDK opt_word_flexspi_nor.json, spec/mboot.md section 8):
// [31:28] tag 0xC, [27:24] option size (0: one word), [23:20] flash type, [19:16] SFDP query
// pads, [15:12] command pads, [11:8] quad-enable type, [7:4] misc mode, [3:0] max frequency.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "rtprov/boot/fcb.hpp"

namespace rtprov::boot {

// The word rtprov configures FlexSPI NOR with when nothing else says: QuadSPI SDR, 1-pad SFDP
// query and commands, 133 MHz (NXP's default for every RT10xx EVK with QSPI NOR).
inline constexpr std::uint32_t kDefaultFlexspiNorOption = 0xC0000007;
// The special word after which the flashloader programs its current configuration block into
// the flash as the FCB (needs a configured flash and an erased FCB area).
inline constexpr std::uint32_t kProgramFcbOption = 0xF000000F;

// Flash type, bits 23:20.
enum class FlashType : std::uint8_t {
    QuadSpiSdr = 0,
    QuadSpiDdr = 1,
    HyperFlash1V8 = 2,
    HyperFlash3V = 3,
    MacronixOctalDdr = 4,
    MicronOctalDdr = 6,
    MicronOctalSdr = 7,
    AdestoOctalDdr = 8,
    AdestoOctalSdr = 9,
};

struct FlexspiNorOption {
    std::uint8_t tag = 0;          // 0xC
    std::uint8_t option_size = 0;  // 0: one word
    std::uint8_t flash_type = 0;   // a FlashType value
    std::uint8_t query_pads = 0;   // 0: 1 pad, 2: 4 pads, 3: 8 pads
    std::uint8_t cmd_pads = 0;     // same encoding
    std::uint8_t quad_enable = 0;
    std::uint8_t misc = 0;
    std::uint8_t max_freq = 0;  // 0 unchanged, 1 30 MHz .. 7 133 MHz, 8 166 MHz
};

// Splits an option word into its fields (no checks).
FlexspiNorOption decode_flexspi_nor_option(std::uint32_t word);

// Why `word` is not a one-word FlexSPI NOR option rtprov can plan with (tag not 0xC, a second
// option word announced, an undefined flash type), or nullopt.
std::optional<std::string> flexspi_nor_option_problem(std::uint32_t word);

// "HyperFlash 1V8, 8-pad commands, 133 MHz"; "QuadSPI SDR, 1-pad commands, 133 MHz".
std::string describe_flexspi_nor_option(std::uint32_t word);

// Why the flash `word` describes cannot be the one `fcb` drives, from the fields both state:
// HyperFlash needs 8 pads and the flash's DQS (readSampleClkSrc 3), octal flash 8 pads, QuadSPI
// at most 4 pads and no flash DQS; an FCB must be for a serial NOR (deviceType 0 or 1).
// Nullopt when they agree.
std::optional<std::string> option_fcb_conflict(std::uint32_t word, const Fcb& fcb);

// The option word NXP uses for the flash of the board preset `name` (fcb_presets()); throws like
// fcb_preset() for an unknown name.
std::uint32_t fcb_preset_flash_option(std::string_view name);

}  // namespace rtprov::boot
