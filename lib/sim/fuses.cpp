#include "rtprov/sim/fuses.hpp"

#include <array>
#include <random>
#include <string_view>

namespace rtprov::sim {

namespace {

// Which LOCK bit write-protects which words. For the two-bit lock fields the low bit is the write
// lock and the high bit the override lock (OCOTP_LOCK layout of the RT10xx reference manuals).
struct LockRule {
    std::string_view field;   // lock field name in the device database
    std::string_view prefix;  // words whose name starts with this are guarded
};

constexpr std::array kLockRules{
    LockRule{"TESTER_LOCK", "UUID"},
    LockRule{"TESTER_LOCK", "TESTER_CFG"},
    LockRule{"BOOT_CFG_LOCK", "BOOT_CFG"},
    LockRule{"SJC_RESP_LOCK", "SJC_RESP"},
    LockRule{"MAC_ADDR_LOCK", "MAC"},
    LockRule{"MAC_ADDR_LOCK", "OTFAD"},
    LockRule{"GP1_LOCK", "GP1"},
    LockRule{"GP2_LOCK", "GP2"},
    LockRule{"SW_GP1_LOCK", "SW_GP1"},
    LockRule{"SW_GP2_LOCK", "SW_GP2"},
    LockRule{"MISC_CONF_LOCK", "MISC_CONF"},
    LockRule{"GP3_LOCK", "GP3"},
    LockRule{"GP4_LOCK", "GP4"},
    LockRule{"SRK_LOCK", "SRK"},
};

bool guards(const LockRule& rule, std::string_view word) {
    if (!word.starts_with(rule.prefix))
        return false;
    // "SRK" must not guard SRK_REVOKE (which has no lock of its own in the map we use).
    return !(rule.prefix == "SRK" && word.starts_with("SRK_"));
}

}  // namespace

Fuses::Fuses(const device::Device& device) : device_(&device), values_(device.fuses.size(), 0) {
    // A fixed, part-specific unique ID so UniqueDeviceIdent and UUID reads are non-zero; the
    // simulator gives each new part (state directory) its own with set_uid().
    std::uint32_t h = 2166136261u;
    for (char c : device.name)
        h = (h ^ static_cast<std::uint8_t>(c)) * 16777619u;
    set_uid((std::uint64_t{h * 16777619u ^ 0x5A5A0000u} << 32) | h);
}

std::uint64_t Fuses::uid() const {
    const device::FuseWord* low = device_->fuse("UUID0");
    const device::FuseWord* high = device_->fuse("UUID1");
    if (low == nullptr || high == nullptr)
        return 0;
    return (std::uint64_t{read(high->index).value_or(0)} << 32) | read(low->index).value_or(0);
}

void Fuses::set_uid(std::uint64_t uid) {
    if (const device::FuseWord* low = device_->fuse("UUID0"))
        restore(low->index, static_cast<std::uint32_t>(uid));
    if (const device::FuseWord* high = device_->fuse("UUID1"))
        restore(high->index, static_cast<std::uint32_t>(uid >> 32));
}

std::uint64_t random_uid() {
    std::random_device rd;
    std::uint32_t low = 0;
    std::uint32_t high = 0;
    while (low == 0 || high == 0) {
        low = rd();
        high = rd();
    }
    return (std::uint64_t{high} << 32) | low;
}

std::optional<std::size_t> Fuses::slot(std::uint32_t index) const {
    for (std::size_t i = 0; i < device_->fuses.size(); ++i) {
        if (device_->fuses[i].index == index)
            return i;
    }
    return std::nullopt;
}

std::optional<std::uint32_t> Fuses::read(std::uint32_t index) const {
    if (auto i = slot(index))
        return values_[*i];
    return std::nullopt;
}

std::uint32_t Fuses::field(std::string_view name) const {
    const device::FuseField* f = device_->fuse_field(name);
    if (f == nullptr)
        return 0;
    const device::FuseWord* w = device_->fuse(f->word);
    if (w == nullptr)
        return 0;
    const std::uint32_t mask = f->width >= 32 ? ~0u : ((1u << f->width) - 1u);
    return (read(w->index).value_or(0) >> f->shift) & mask;
}

bool Fuses::locked(std::uint32_t index) const {
    auto i = slot(index);
    if (!i)
        return false;
    const std::string_view name = device_->fuses[*i].name;
    for (const auto& rule : kLockRules) {
        if (guards(rule, name) && (field(rule.field) & 1u) != 0)
            return true;
    }
    return false;
}

FuseStatus Fuses::program(std::uint32_t index, std::uint32_t bits) {
    auto i = slot(index);
    if (!i)
        return FuseStatus::UnknownIndex;
    if (locked(index))
        return FuseStatus::Locked;
    values_[*i] |= bits;
    return FuseStatus::Ok;
}

std::optional<std::uint32_t> Fuses::read_shadow(std::uint32_t address) const {
    for (std::size_t i = 0; i < device_->fuses.size(); ++i) {
        if (device_->fuses[i].shadow == address)
            return values_[i];
    }
    return std::nullopt;
}

bool Fuses::hab_closed() const {
    return field("SEC_CONFIG[1]") != 0;
}

std::vector<Fuses::Word> Fuses::words() const {
    std::vector<Word> out;
    for (std::size_t i = 0; i < device_->fuses.size(); ++i)
        out.push_back({&device_->fuses[i], values_[i]});
    return out;
}

void Fuses::restore(std::uint32_t index, std::uint32_t value) {
    if (auto i = slot(index))
        values_[*i] = value;
}

}  // namespace rtprov::sim
