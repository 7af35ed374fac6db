#include "rtprov/boot/flash_option.hpp"

#include <fmt/format.h>

namespace rtprov::boot {

namespace {

constexpr std::uint8_t kOptionTag = 0xC;
constexpr std::uint8_t kSampleFlashDqs = 3;  // readSampleClkSrc: DQS driven by the flash

std::string_view flash_type_name(std::uint8_t type) {
    switch (static_cast<FlashType>(type)) {
        case FlashType::QuadSpiSdr:
            return "QuadSPI SDR";
        case FlashType::QuadSpiDdr:
            return "QuadSPI DDR";
        case FlashType::HyperFlash1V8:
            return "HyperFlash 1V8";
        case FlashType::HyperFlash3V:
            return "HyperFlash 3V";
        case FlashType::MacronixOctalDdr:
            return "Macronix octal DDR";
        case FlashType::MicronOctalDdr:
            return "Micron octal DDR";
        case FlashType::MicronOctalSdr:
            return "Micron octal SDR";
        case FlashType::AdestoOctalDdr:
            return "Adesto octal DDR";
        case FlashType::AdestoOctalSdr:
            return "Adesto octal SDR";
    }
    return "";
}

unsigned pads(std::uint8_t code) {
    return code == 0 ? 1 : code == 1 ? 2 : code == 2 ? 4 : 8;
}

constexpr unsigned kFreqMhz[] = {0, 30, 50, 60, 75, 80, 100, 133, 166};

bool is_hyperflash(std::uint8_t type) {
    return type == static_cast<std::uint8_t>(FlashType::HyperFlash1V8) ||
           type == static_cast<std::uint8_t>(FlashType::HyperFlash3V);
}

bool is_quad(std::uint8_t type) {
    return type == static_cast<std::uint8_t>(FlashType::QuadSpiSdr) ||
           type == static_cast<std::uint8_t>(FlashType::QuadSpiDdr);
}

}  // namespace

FlexspiNorOption decode_flexspi_nor_option(std::uint32_t word) {
    const auto field = [&](unsigned shift) {
        return static_cast<std::uint8_t>((word >> shift) & 0xF);
    };
    return {field(28), field(24), field(20), field(16), field(12), field(8), field(4), field(0)};
}

std::optional<std::string> flexspi_nor_option_problem(std::uint32_t word) {
    const FlexspiNorOption o = decode_flexspi_nor_option(word);
    if (o.tag != kOptionTag) {
        return fmt::format(
            "0x{:08X} is not a FlexSPI NOR configuration option (tag, bits 31:28, "
            "is 0x{:X}, not 0xC)",
            word, o.tag);
    }
    if (o.option_size != 0) {
        return fmt::format(
            "0x{:08X} announces {} more option word(s) (bits 27:24); rtprov plans "
            "with one-word options only",
            word, o.option_size);
    }
    if (flash_type_name(o.flash_type).empty())
        return fmt::format("0x{:08X}: flash type {} (bits 23:20) is not defined", word,
                           o.flash_type);
    return std::nullopt;
}

std::string describe_flexspi_nor_option(std::uint32_t word) {
    const FlexspiNorOption o = decode_flexspi_nor_option(word);
    const std::string_view type = flash_type_name(o.flash_type);
    std::string freq =
        o.max_freq < std::size(kFreqMhz)
            ? (o.max_freq == 0 ? "clock unchanged" : fmt::format("{} MHz", kFreqMhz[o.max_freq]))
            : fmt::format("frequency code {}", o.max_freq);
    return fmt::format(
        "{}, {}-pad commands, {}",
        type.empty() ? fmt::format("flash type {}", o.flash_type) : std::string(type),
        pads(o.cmd_pads), freq);
}

std::optional<std::string> option_fcb_conflict(std::uint32_t word, const Fcb& fcb) {
    const FlexspiNorOption o = decode_flexspi_nor_option(word);
    const std::string option =
        fmt::format("option 0x{:08X} ({})", word, describe_flexspi_nor_option(word));
    if (fcb.device_type > 1) {
        return fmt::format(
            "{} is for a serial NOR flash, the FCB's deviceType is {} (1: serial "
            "NOR)",
            option, fcb.device_type);
    }
    const std::string fcb_says = fmt::format("readSampleClkSrc {}, sflashPadType {}",
                                             fcb.read_sample_clk_src, fcb.sflash_pad_type);
    if (is_hyperflash(o.flash_type) &&
        (fcb.sflash_pad_type != 8 || fcb.read_sample_clk_src != kSampleFlashDqs)) {
        return fmt::format(
            "{} needs an FCB for 8 pads sampled with the flash's DQS "
            "(readSampleClkSrc 3, sflashPadType 8); the FCB has {}",
            option, fcb_says);
    }
    if (is_quad(o.flash_type) &&
        (fcb.sflash_pad_type > 4 || fcb.read_sample_clk_src == kSampleFlashDqs)) {
        return fmt::format("{} is a QuadSPI flash (at most 4 pads, no flash DQS); the FCB has {}",
                           option, fcb_says);
    }
    if (!is_quad(o.flash_type) && !is_hyperflash(o.flash_type) && fcb.sflash_pad_type != 8) {
        return fmt::format("{} is an octal flash (8 pads); the FCB has {}", option, fcb_says);
    }
    return std::nullopt;
}

}  // namespace rtprov::boot
