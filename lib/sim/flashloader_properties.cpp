// get-property / set-property of the simulated flashloader: the values an RT10xx flashloader
// reports, derived from the chip model.

#include "rtprov/sim/flashloader.hpp"

namespace rtprov::sim {

namespace {

namespace mb = proto::mboot;
using mb::Property;
using mb::Status;

constexpr std::uint32_t st(Status s) {
    return static_cast<std::uint32_t>(s);
}

constexpr std::uint32_t kPeripheralsUartUsbHid = 0x01 | 0x10;
constexpr std::uint32_t kTargetVersion = 0x54010000;  // T1.0.0
// External memory attribute flags: start address, size, page, sector and block size valid.
constexpr std::uint32_t kExtMemAllValid = 0x1F;
// Bit (tag - 1) set = command tag implemented: bit 0 is flash-erase-all (tag 0x01), as MCUBoot
// builds the mask from its first command tag and blhost decodes it.
constexpr std::uint32_t cmd_bit(mb::CommandTag tag) {
    return 1u << (static_cast<std::uint32_t>(tag) - 1);
}
constexpr std::uint32_t kAvailableCommands =
    cmd_bit(mb::CommandTag::FlashEraseAll) | cmd_bit(mb::CommandTag::FlashEraseRegion) |
    cmd_bit(mb::CommandTag::ReadMemory) | cmd_bit(mb::CommandTag::WriteMemory) |
    cmd_bit(mb::CommandTag::FillMemory) | cmd_bit(mb::CommandTag::GetProperty) |
    cmd_bit(mb::CommandTag::ReceiveSbFile) | cmd_bit(mb::CommandTag::Execute) |
    cmd_bit(mb::CommandTag::Call) | cmd_bit(mb::CommandTag::Reset) |
    cmd_bit(mb::CommandTag::SetProperty) | cmd_bit(mb::CommandTag::FlashProgramOnce) |
    cmd_bit(mb::CommandTag::FlashReadOnce) | cmd_bit(mb::CommandTag::ConfigureMemory) |
    cmd_bit(mb::CommandTag::GenerateKeyBlob);
static_assert(kAvailableCommands == 0x56FDF);

}  // namespace

std::vector<MbootOut> Flashloader::get_property(std::uint32_t tag, std::uint32_t memory_id) const {
    const FlashGeometry& g = chip_->flash().geometry();
    const bool configured = chip_->flash_configured();
    const auto& dev = chip_->device();
    std::vector<std::uint32_t> values;
    std::uint32_t status = st(Status::Success);
    switch (static_cast<Property>(tag)) {
        case Property::CurrentVersion:
            values = {kVersion};
            break;
        case Property::AvailablePeripherals:
            values = {kPeripheralsUartUsbHid};
            break;
        case Property::FlashStartAddress:
            values = {chip_->flash_base()};
            break;
        case Property::FlashSize:
            values = {configured ? g.size : 0};
            break;
        case Property::FlashSectorSize:
            values = {configured ? g.sector_size : 0};
            break;
        case Property::FlashPageSize:
            values = {configured ? g.page_size : 0};
            break;
        case Property::FlashBlockCount:
            values = {1};
            break;
        case Property::AvailableCommands:
            values = {kAvailableCommands};
            break;
        case Property::VerifyWrites:
            values = {verify_writes_ ? 1u : 0u};
            break;
        case Property::MaxPacketSize:
            values = {kMaxPacketSize};
            break;
        case Property::ReservedRegions:
            // The flashloader's own image and stack (64 KiB from its load address).
            values = {dev.flashloader_address, dev.flashloader_address + 0x10000 - 1};
            break;
        case Property::RamStartAddress:
        case Property::RamSize: {
            const device::MemoryRegion* ram = nullptr;
            for (const auto& r : dev.memory) {
                if (r.name == "ocram")
                    ram = &r;
            }
            values = {ram == nullptr                                            ? 0u
                      : static_cast<Property>(tag) == Property::RamStartAddress ? ram->start
                                                                                : ram->size};
            break;
        }
        case Property::SystemDeviceIdent:
            values = {0};
            break;
        case Property::FlashSecurityState:
            values = {chip_->fuses().hab_closed() ? 1u : 0u};
            break;
        case Property::UniqueDeviceIdent:
            values = {chip_->fuses().read(0x01).value_or(0), chip_->fuses().read(0x02).value_or(0)};
            break;
        case Property::TargetVersion:
            values = {kTargetVersion};
            break;
        case Property::ExternalMemoryAttributes:
            if (memory_id != static_cast<std::uint32_t>(mb::MemoryId::FlexspiNor)) {
                status = st(Status::InvalidArgument);
            } else if (!configured) {
                status = st(Status::MemoryNotConfigured);
            } else {
                values = {kExtMemAllValid, chip_->flash_base(), g.size / 1024,
                          g.page_size,     g.sector_size,       64 * 1024};
            }
            break;
        default:
            status = st(Status::UnknownProperty);
            break;
    }
    return {{false, mb::encode_packet(mb::make_property_response(status, values))}};
}

std::uint32_t Flashloader::set_property(std::uint32_t tag, std::uint32_t value) {
    switch (static_cast<Property>(tag)) {
        case Property::VerifyWrites:
            if (value > 1)
                return st(Status::InvalidPropertyValue);
            verify_writes_ = value != 0;
            return st(Status::Success);
        case Property::CurrentVersion:
        case Property::AvailablePeripherals:
        case Property::FlashStartAddress:
        case Property::FlashSize:
        case Property::FlashSectorSize:
        case Property::FlashBlockCount:
        case Property::AvailableCommands:
        case Property::MaxPacketSize:
        case Property::ReservedRegions:
        case Property::RamStartAddress:
        case Property::RamSize:
        case Property::UniqueDeviceIdent:
        case Property::TargetVersion:
        case Property::FlashPageSize:
            return st(Status::ReadOnlyProperty);
        default:
            return st(Status::UnknownProperty);
    }
}

}  // namespace rtprov::sim
