#include "rtprov/device/device.hpp"

#include <fmt/format.h>

#include <string>

#include "rtprov/util/error.hpp"

namespace rtprov::device {

const BootLayout* Device::layout(BootDevice dev) const {
    for (const auto& l : boot_layouts) {
        if (l.device == dev)
            return &l;
    }
    return nullptr;
}

const MemoryRegion* Device::region_of(std::uint64_t address, std::uint64_t length) const {
    for (const auto& r : memory) {
        if (r.contains(address, length))
            return &r;
    }
    return nullptr;
}

const FuseWord* Device::fuse(std::string_view word_name) const {
    for (const auto& w : fuses) {
        if (w.name == word_name)
            return &w;
    }
    return nullptr;
}

const FuseField* Device::fuse_field(std::string_view field_name) const {
    for (const auto& f : fuse_fields) {
        if (f.name == field_name)
            return &f;
    }
    return nullptr;
}

namespace {

std::string to_lower(std::string_view text) {
    std::string out(text);
    for (char& c : out) {
        if (c >= 'A' && c <= 'Z')
            c = static_cast<char>(c - 'A' + 'a');
    }
    return out;
}

// "MIMXRT1020" and "rt1020" both become "rt1020"; a name that is the device name minus its
// "mimx" prefix therefore matches without being listed as an alias.
std::string short_name(std::string_view name) {
    std::string lower = to_lower(name);
    if (lower.starts_with("mimx"))
        lower.erase(0, 4);
    return lower;
}

bool matches(const Device& dev, const std::string& wanted) {
    if (short_name(dev.name) == wanted)
        return true;
    for (auto alias : dev.aliases) {
        if (short_name(alias) == wanted)
            return true;
    }
    return false;
}

}  // namespace

const Device& find_device(std::string_view name) {
    const std::string wanted = short_name(name);
    for (const auto& dev : all_devices()) {
        if (matches(dev, wanted))
            return dev;
    }
    std::string known;
    for (const auto& dev : all_devices()) {
        if (!known.empty())
            known += ", ";
        known += dev.name;
    }
    throw Error(ErrorCode::Usage,
                fmt::format("unknown device '{}'; known devices: {}", name, known));
}

}  // namespace rtprov::device
