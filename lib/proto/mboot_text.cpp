// blhost's text forms of properties and of the memory list (SPSDK 3.x output, so that scripts
// and users reading blhost's output read rtprov's the same way).

#include "rtprov/proto/mboot_text.hpp"

#include <optional>
#include <span>

#include <fmt/format.h>

#include "name_table.hpp"

namespace rtprov::proto::mboot {

namespace {

using detail::Name;

// AvailablePeripherals bits, in blhost's order.
constexpr Name kPeripherals[] = {
    {0x01, "UART"},    {0x02, "I2C-Slave"}, {0x04, "SPI-Slave"}, {0x08, "CAN"},
    {0x10, "USB-HID"}, {0x20, "USB-CDC"},   {0x40, "USB-DFU"},   {0x80, "LIN"},
};

// AvailableCommands: bit (tag - 1) per command tag, with blhost's labels.
constexpr Name kCommandLabels[] = {
    {0x01, "FlashEraseAll"},
    {0x02, "FlashEraseRegion"},
    {0x03, "ReadMemory"},
    {0x04, "WriteMemory"},
    {0x05, "FillMemory"},
    {0x06, "FlashSecurityDisable"},
    {0x07, "GetProperty"},
    {0x08, "ReceiveSBFile"},
    {0x09, "Execute"},
    {0x0A, "Call"},
    {0x0B, "Reset"},
    {0x0C, "SetProperty"},
    {0x0D, "FlashEraseAllUnsecure"},
    {0x0E, "FlashProgramOnce"},
    {0x0F, "FlashReadOnce"},
    {0x10, "FlashReadResource"},
    {0x11, "ConfigureMemory"},
    {0x12, "ReliableUpdate"},
    {0x13, "GenerateKeyBlob"},
    {0x14, "ProgramFuse"},
    {0x15, "KeyProvisioning"},
    {0x16, "TrustProvisioning"},
    {0x17, "ReadFuse"},
};

constexpr Name kMemoryLabels[] = {
    {1, "QSPI"},          {8, "SEMC-NOR"},     {9, "FLEX-SPI-NOR"}, {10, "SPIFI-NOR"},
    {0x100, "SEMC-NAND"}, {0x101, "SPI-NAND"}, {0x110, "SPI-MEM"},  {0x111, "I2C-MEM"},
    {0x120, "SD"},        {0x121, "MMC"},
};

// The external memory ids an RT10xx flashloader may serve (no QuadSPI: that is Kinetis).
constexpr std::uint32_t kRtExternalMemories[] = {8, 9, 0x100, 0x101, 0x110, 0x111, 0x120, 0x121};

// ExternalMemoryAttributes: word 0 says which of the following words are valid.
constexpr std::uint32_t kAttrStart = 0x01, kAttrSizeKib = 0x02, kAttrPage = 0x04,
                        kAttrSector = 0x08, kAttrBlock = 0x10;

std::string join(const std::vector<std::string>& parts) {
    std::string out;
    for (const auto& p : parts)
        out += (out.empty() ? "" : ", ") + p;
    return out;
}

std::string hex8(std::uint32_t v) {
    return fmt::format("0x{:08X}", v);
}

// "Start Address: 0x60000000, Total Size:    8.0 MiB, ..." (get-property 0x19).
std::string ext_attributes(const std::vector<std::uint32_t>& v) {
    const std::uint32_t f = v[0];
    std::vector<std::string> parts;
    if (f & kAttrStart)
        parts.push_back("Start Address: " + hex8(v[1]));
    if (f & kAttrSizeKib)
        parts.push_back("Total Size:    " + size_text(std::uint64_t{v[2]} * 1024));
    if (f & kAttrPage)
        parts.push_back("Page Size:     " + size_text(v[3]));
    if (f & kAttrSector)
        parts.push_back("Sector Size:   " + size_text(v[4]));
    if (f & kAttrBlock)
        parts.push_back("Block Size:    " + size_text(v[5]));
    return join(parts);
}

std::string names_of_bits(std::span<const Name> table, std::uint32_t word, bool list_form) {
    std::vector<std::string> out;
    for (const auto& n : table) {
        const std::uint32_t bit = list_form ? 1u << (n.value - 1) : n.value;
        if (word & bit)
            out.push_back(list_form ? fmt::format("'{}'", n.name) : std::string(n.name));
    }
    const std::string joined = join(out);
    return list_form ? "[" + joined + "]" : joined;
}

}  // namespace

std::string size_text(std::uint64_t bytes) {
    if (bytes < 1024)
        return fmt::format("{} B", bytes);
    static constexpr const char* kUnits[] = {"kiB", "MiB", "GiB", "TiB", "PiB"};
    double v = static_cast<double>(bytes) / 1024.0;
    std::size_t unit = 0;
    while (v >= 1024.0 && unit + 1 < std::size(kUnits)) {
        v /= 1024.0;
        ++unit;
    }
    return fmt::format("{:3.1f} {}", v, kUnits[unit]);
}

std::vector<std::string> property_text(std::uint8_t tag, const std::vector<std::uint32_t>& v) {
    if (v.empty())
        return {};
    const std::uint32_t w = v[0];
    auto line = [](std::string_view what, const std::string& value) {
        return std::vector<std::string>{fmt::format("{} = {}", what, value)};
    };
    switch (static_cast<Property>(tag)) {
        case Property::CurrentVersion:
            return line("Current Version", version_string(w));
        case Property::AvailablePeripherals:
            return line("Available Peripherals", names_of_bits(kPeripherals, w, false));
        case Property::FlashStartAddress:
            return line("Flash Start Address", hex8(w));
        case Property::FlashSize:
            return line("Flash Size", size_text(w));
        case Property::FlashSectorSize:
            return line("Flash Sector Size", size_text(w));
        case Property::FlashBlockCount:
            return line("Flash Block Count", std::to_string(w));
        case Property::AvailableCommands:
            return line("Available Commands", names_of_bits(kCommandLabels, w, true));
        case Property::VerifyWrites:
            return line("Verify Writes", w == 1 ? "ON" : "OFF");
        case Property::MaxPacketSize:
            return line("Max Packet Size", size_text(w));
        case Property::ReservedRegions: {
            // Pairs of first and last address; empty ones (last 0) are left out.
            std::vector<std::string> out{"Reserved Regions ="};
            for (std::size_t i = 0; i + 1 < v.size(); i += 2) {
                if (v[i + 1] == 0)
                    continue;
                const std::uint64_t size = std::uint64_t{v[i + 1]} - v[i] + 1;
                out.push_back(fmt::format("    Region {}: 0x{:08X} - 0x{:08X}; Total Size: {}",
                                          out.size() - 1, v[i], v[i + 1], size_text(size)));
            }
            return out;
        }
        case Property::RamStartAddress:
            return line("RAM Start Address", hex8(w));
        case Property::RamSize:
            return line("RAM Size", size_text(w));
        case Property::SystemDeviceIdent:
            return line("System Device Identification", hex8(w));
        case Property::FlashSecurityState:
            return line("Security State", (w == 0 || w == 0x5AA55AA5) ? "UNSECURE" : "SECURE");
        case Property::UniqueDeviceIdent: {
            // The words' bytes in memory order (little-endian), as hex.
            std::string hex;
            for (const std::uint32_t word : v)
                for (int b = 0; b < 4; ++b)
                    hex += fmt::format("{:02x}", (word >> (8 * b)) & 0xFF);
            return line("Unique Device Identification", hex);
        }
        case Property::TargetVersion:
            return line("Target Version", version_string(w));
        case Property::ExternalMemoryAttributes:
            if (v.size() < 6)
                return {};
            return line("External Memory Attributes", ext_attributes(v));
        case Property::FlashPageSize:
            return line("Flash Page Size", size_text(w));
        default:
            return {};
    }
}

std::string memory_label(std::uint32_t memory_id) {
    if (const Name* n = detail::find_name(kMemoryLabels, memory_id))
        return std::string(n->name);
    return fmt::format("0x{:02X}", memory_id);
}

std::vector<std::string> list_memories(McuBootClient& mb) {
    const auto prop = [](Property p) { return static_cast<std::uint8_t>(p); };
    // One property word, or nullopt when the flashloader refuses it (the list ends there).
    const auto word = [&](Property p, std::uint32_t index) -> std::optional<std::uint32_t> {
        try {
            const auto v = mb.get_property(prop(p), index);
            return v.empty() ? std::nullopt : std::optional(v[0]);
        } catch (const McuBootStatusError&) {
            return std::nullopt;
        }
    };
    std::vector<std::string> out{"Internal Flash:"};
    std::optional<std::uint32_t> first;
    for (std::uint32_t i = 0;; ++i) {
        const auto start = word(Property::FlashStartAddress, i);
        // A flashloader without more regions answers the first one again for a higher index.
        if (!start || (first && *start == *first))
            break;
        first = first.value_or(*start);
        const auto size = word(Property::FlashSize, i);
        const auto sector = size ? word(Property::FlashSectorSize, i) : std::nullopt;
        if (!sector)
            break;
        out.push_back(
            fmt::format("    Region {}: 0x{:08X} - 0x{:08X}; Total Size: {} Sector size: {}", i,
                        *start, *start + *size - 1, size_text(*size), size_text(*sector)));
    }
    out.push_back("Internal RAM:");
    first.reset();
    for (std::uint32_t i = 0;; ++i) {
        const auto start = word(Property::RamStartAddress, i);
        if (!start || (first && *start == *first))
            break;
        first = first.value_or(*start);
        const auto size = word(Property::RamSize, i);
        if (!size)
            break;
        out.push_back(fmt::format("    Region {}: 0x{:08X} - 0x{:08X}; Total Size: {}", i, *start,
                                  *start + *size - 1, size_text(*size)));
    }
    out.push_back("External Memories:");
    for (const std::uint32_t id : kRtExternalMemories) {
        std::vector<std::uint32_t> v;
        try {
            v = mb.get_property(prop(Property::ExternalMemoryAttributes), id);
        } catch (const McuBootStatusError& e) {
            if (e.status() == static_cast<std::uint32_t>(Status::UnknownProperty))
                break;  // no external memory support at all
            if (e.status() == static_cast<std::uint32_t>(Status::MemoryNotConfigured)) {
                out.push_back(memory_label(id) + ":");
                out.push_back("  Not Configured");
            }
            continue;  // not a memory this part or flashloader has
        }
        if (v.size() < 6 || v[0] == 0)
            continue;
        std::string info = fmt::format("  Start Address = 0x{:08X}  ", v[1]);
        if (v[0] & kAttrSizeKib)
            info += fmt::format("Total Size = {}  ", size_text(std::uint64_t{v[2]} * 1024));
        info += fmt::format("Page Size = {}  Sector Size = {}  ", v[3], v[4]);
        if (v[0] & kAttrBlock)
            info += fmt::format("Block Size = {} ", v[5]);
        out.push_back(memory_label(id) + ":");
        out.push_back(info);
    }
    return out;
}

}  // namespace rtprov::proto::mboot
