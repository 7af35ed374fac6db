#include <array>
#include <string>

#include "rtprov/device/device.hpp"

namespace rtprov::device {

namespace {

struct BootDeviceName {
    std::string_view name;
    BootDevice device;
};

// Canonical names first (boot_device_name returns the first row of a device), then aliases.
constexpr std::array kNames{
    BootDeviceName{"flexspi-nor", BootDevice::FlexspiNor},
    BootDeviceName{"flexspi-nand", BootDevice::FlexspiNand},
    BootDeviceName{"semc-nor", BootDevice::SemcNor},
    BootDeviceName{"semc-nand", BootDevice::SemcNand},
    BootDeviceName{"sd", BootDevice::Sd},
    BootDeviceName{"mmc", BootDevice::Mmc},
    BootDeviceName{"serial-downloader", BootDevice::SerialDownloader},
    BootDeviceName{"recovery-spi", BootDevice::RecoverySpi},
    BootDeviceName{"emmc", BootDevice::Mmc},
    BootDeviceName{"ram", BootDevice::SerialDownloader},
    BootDeviceName{"internal-ram", BootDevice::SerialDownloader},
};

constexpr std::array kAllBootDevices{
    BootDevice::FlexspiNor,       BootDevice::FlexspiNand, BootDevice::SemcNor,
    BootDevice::SemcNand,         BootDevice::Sd,          BootDevice::Mmc,
    BootDevice::SerialDownloader, BootDevice::RecoverySpi,
};

}  // namespace

std::optional<BootDevice> parse_boot_device(std::string_view name) {
    std::string key(name);
    for (char& c : key) {
        if (c >= 'A' && c <= 'Z')
            c = static_cast<char>(c - 'A' + 'a');
        if (c == '_')
            c = '-';
    }
    for (const auto& row : kNames) {
        if (row.name == key)
            return row.device;
    }
    return std::nullopt;
}

std::string_view boot_device_name(BootDevice dev) {
    for (const auto& row : kNames) {
        if (row.device == dev)
            return row.name;
    }
    return "unknown";
}

std::span<const BootDevice> all_boot_devices() {
    return kAllBootDevices;
}

}  // namespace rtprov::device
