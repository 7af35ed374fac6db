#include "option_fcb.hpp"

#include "rtprov/boot/fcb.hpp"
#include "rtprov/boot/flash_option.hpp"

namespace rtprov::sim {

namespace {

// controllerMiscOption bits (kFlexSpiMiscOffset_*).
constexpr std::uint32_t kMiscWordAddressable = 1u << 3;
constexpr std::uint32_t kMiscSafeConfigFreq = 1u << 4;
constexpr std::uint32_t kMiscDdrMode = 1u << 6;

}  // namespace

Bytes fcb_from_option(std::uint32_t option, const FlashGeometry& geometry) {
    using boot::FlashType;
    const boot::FlexspiNorOption o = boot::decode_flexspi_nor_option(option);
    const auto type = static_cast<FlashType>(o.flash_type);
    const bool hyper = type == FlashType::HyperFlash1V8 || type == FlashType::HyperFlash3V;
    const bool quad = type == FlashType::QuadSpiSdr || type == FlashType::QuadSpiDdr;
    boot::Fcb fcb;
    fcb.cs_hold_time = 3;
    fcb.cs_setup_time = 3;
    fcb.device_type = 1;  // serial NOR
    fcb.read_sample_clk_src = quad ? 1 : 3;
    fcb.sflash_pad_type = quad ? 4 : 8;
    fcb.serial_clk_freq = o.max_freq;
    fcb.controller_misc_option = kMiscSafeConfigFreq;
    if (hyper) {
        fcb.column_address_width = 3;
        fcb.controller_misc_option |= kMiscDdrMode | kMiscWordAddressable;
    }
    fcb.sflash_a1_size = geometry.size;
    fcb.page_size = geometry.page_size;
    fcb.sector_size = geometry.sector_size;
    fcb.block_size = std::max<std::uint32_t>(geometry.sector_size, 64 * 1024);
    return boot::serialize(fcb);
}

}  // namespace rtprov::sim
