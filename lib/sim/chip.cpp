#include "rtprov/sim/chip.hpp"

#include "rtprov/sim/image_check.hpp"

#include <algorithm>

namespace rtprov::sim {

namespace {

// Peripheral space of the RT10xx (AIPS bridges, where DCD register writes go).
constexpr std::uint64_t kPeripheralStart = 0x40000000;
constexpr std::uint64_t kPeripheralEnd = 0x60000000;
// OCOTP shadow registers: fuse-map offsets 0x400..0x8FF from the controller base.
constexpr std::uint64_t kOcotpShadowStart = device::kOcotpBase + 0x400;
constexpr std::uint64_t kOcotpShadowEnd = device::kOcotpBase + 0x900;

}  // namespace

std::string_view chip_mode_name(ChipMode mode) {
    switch (mode) {
        case ChipMode::Rom:
            return "rom";
        case ChipMode::Flashloader:
            return "flashloader";
        case ChipMode::App:
            return "app";
    }
    return "?";
}

Chip::Chip(const device::Device& device, FlashGeometry geometry)
    : device_(&device), flash_(geometry), fuses_(device) {
    for (const auto& r : device.memory) {
        if (r.name == "flexspi")
            flash_base_ = r.start;
    }
}

Area Chip::area_of(std::uint64_t address, std::uint64_t length) const {
    const std::uint64_t end = address + length;
    if (address >= flash_base_ && end <= flash_base_ + std::uint64_t{flash_.geometry().size})
        return Area::Flash;
    if (address >= kOcotpShadowStart && end <= kOcotpShadowEnd)
        return Area::Ocotp;
    if (address >= kPeripheralStart && end <= kPeripheralEnd)
        return Area::Peripheral;
    const device::MemoryRegion* r = device_->region_of(address, length);
    if (r != nullptr && !r->xip)
        return Area::Ram;
    return Area::None;
}

BusStatus Chip::read(std::uint32_t address, std::span<std::uint8_t> out) const {
    switch (area_of(address, out.size())) {
        case Area::Flash:
            flash_.read(address - flash_base_, out);
            return BusStatus::Ok;
        case Area::Ocotp: {
            // Each fuse word occupies a 16-byte slot; the value sits in the slot's first word.
            for (std::size_t i = 0; i < out.size(); ++i) {
                const std::uint32_t at = address + static_cast<std::uint32_t>(i);
                const std::uint32_t value = fuses_.read_shadow(at & ~0xFu).value_or(0);
                out[i] = (at & 0xC) == 0 ? static_cast<std::uint8_t>(value >> (8 * (at & 3))) : 0;
            }
            return BusStatus::Ok;
        }
        case Area::Ram:
        case Area::Peripheral:
            ram_.read(address, out);
            return BusStatus::Ok;
        case Area::None:
            break;
    }
    return BusStatus::InvalidAddress;
}

BusStatus Chip::write(std::uint32_t address, ByteView data) {
    switch (area_of(address, data.size())) {
        case Area::Ram:
        case Area::Peripheral:
            ram_.write(address, data);
            return BusStatus::Ok;
        case Area::Flash:
        case Area::Ocotp:
            return BusStatus::ReadOnly;
        case Area::None:
            break;
    }
    return BusStatus::InvalidAddress;
}

void Chip::reset() {
    flash_configured_ = false;
    ram_.clear();
    mode_ = boot_pins_ == BootPins::Internal && check_flash_boot(*this).ok ? ChipMode::App
                                                                            : ChipMode::Rom;
}

}  // namespace rtprov::sim
