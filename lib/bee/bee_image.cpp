// BEE applied to whole bootable images: checks against the part, headers at their boot-device
// offsets, FAC encryption, the fuses the boot needs, decryption back to the plain image.

#include <algorithm>

#include <fmt/format.h>

#include "rtprov/bee/bee.hpp"
#include "rtprov/hab/encrypt.hpp"
#include "rtprov/util/error.hpp"

namespace rtprov::bee {

namespace {

constexpr std::uint32_t kKeySelSwGp2 = 3;
constexpr std::uint32_t kKeySelOtpmk = 2;
constexpr std::uint32_t kOtpmkOptionTag = 0xE0100000;  // tag 0xE, key source 0, AES-CTR

Key random_key(std::size_t random_bytes) {
    Key k{};
    const Bytes r = hab::random_bytes(random_bytes);
    std::copy(r.begin(), r.end(), k.begin());
    return k;
}

std::string region_name(std::size_t i) {
    return fmt::format("BEE region {}", i);
}

// The FlexSPI window of the part (where BEE decrypts).
const device::MemoryRegion* flexspi_window(const device::Device& dev) {
    for (const auto& r : dev.memory) {
        if (r.xip && r.start == kFlexspiBase)
            return &r;
    }
    return nullptr;
}

void check_config(const device::Device& dev, const Config& config) {
    if (dev.fuse_field("BEE_KEY0_SEL") == nullptr) {
        throw Error(ErrorCode::Usage,
                    fmt::format("{} has no BEE (encrypted XIP there is OTFAD)", dev.name));
    }
    if (config.regions.empty() || config.regions.size() > kHeaderOffsets.size()) {
        throw Error(ErrorCode::BadInput,
                    fmt::format("BEE: {} regions given; give 1 or 2", config.regions.size()));
    }
    const device::MemoryRegion* window = flexspi_window(dev);
    std::size_t total = 0;
    for (std::size_t i = 0; i < config.regions.size(); ++i) {
        const RegionConfig& r = config.regions[i];
        check_facs(r.facs, region_name(i));
        total += r.facs.size();
        for (std::size_t j = 0; j < r.facs.size(); ++j) {
            const Fac& f = r.facs[j];
            const std::uint64_t lowest = static_cast<std::uint64_t>(kFlexspiBase) + 0x1000;
            if (window == nullptr || !window->contains(f.start, f.length) || f.start < lowest) {
                throw Error(ErrorCode::BadInput,
                            fmt::format("{}: FAC {} (0x{:08X}+0x{:X}) must lie in the FlexSPI "
                                        "window of {} above the boot headers (0x{:08X}..0x{:08X})",
                                        region_name(i), j, f.start, f.length, dev.name, lowest,
                                        window ? static_cast<std::uint64_t>(window->start) +
                                                     window->size - 1
                                               : lowest));
            }
            for (std::size_t k = 0; k < i; ++k) {
                for (const Fac& g : config.regions[k].facs) {
                    if (f.start < g.end() && g.start < f.end()) {
                        throw Error(ErrorCode::BadInput,
                                    fmt::format("{}: FAC {} (0x{:08X}+0x{:X}) overlaps {} FAC "
                                                "0x{:08X}+0x{:X}",
                                                region_name(i), j, f.start, f.length,
                                                region_name(k), g.start, g.length));
                    }
                }
            }
        }
        if (r.nonce && std::any_of(r.nonce->begin() + 12, r.nonce->end(),
                                   [](std::uint8_t b) { return b != 0; })) {
            throw Error(ErrorCode::BadInput,
                        fmt::format("{}: the last four bytes of the nonce must be zero (they "
                                    "count the 16-byte blocks)",
                                    region_name(i)));
        }
        if (config.source == KeySource::UserKey && !r.key) {
            throw Error(ErrorCode::BadInput,
                        fmt::format("{}: no key (user-key mode needs the key burned into SW_GP2)",
                                    region_name(i)));
        }
    }
    if (total > kMaxFacs) {
        throw Error(
            ErrorCode::BadInput,
            fmt::format("BEE: {} protected ranges (FACs) in all; the BEE has {}", total, kMaxFacs));
    }
}

FuseSetting field_setting(const device::Device& dev, std::string_view field_name,
                          std::uint32_t value, std::string description) {
    const device::FuseField* f = dev.fuse_field(field_name);
    const device::FuseWord* w = f ? dev.fuse(f->word) : nullptr;
    if (f == nullptr || w == nullptr) {
        throw Error(
            ErrorCode::Internal,
            fmt::format("{}: fuse field {} missing from the device table", dev.name, field_name));
    }
    const std::uint32_t mask = ((f->width >= 32 ? 0u : (1u << f->width)) - 1u) << f->shift;
    return FuseSetting{std::string(field_name),    std::string(w->name),  w->index, mask,
                       (value << f->shift) & mask, std::move(description)};
}

}  // namespace

std::vector<std::uint32_t> otpmk_option_block(std::span<const Fac> facs) {
    std::vector<std::uint32_t> words{kOtpmkOptionTag |
                                     (static_cast<std::uint32_t>(facs.size() & 0xF) << 16)};
    for (const Fac& f : facs) {
        words.push_back(f.start);
        words.push_back(f.length);
    }
    return words;
}

std::vector<FuseSetting> fuse_settings(const device::Device& dev, const Config& config,
                                       std::vector<std::string>* warnings) {
    check_config(dev, config);
    std::vector<FuseSetting> out;
    out.push_back(field_setting(dev, "ENCRYPTED_XIP", 1,
                                "boot encrypted XIP (read from fuses when BT_FUSE_SEL is 1, "
                                "else from the boot pins)"));
    const bool otpmk = config.source == KeySource::Otpmk;
    const std::uint32_t sel = otpmk ? kKeySelOtpmk : kKeySelSwGp2;
    for (std::size_t i = 0; i < config.regions.size(); ++i) {
        const RegionConfig& r = config.regions[i];
        if (!otpmk && i > 0 && r.key != config.regions[0].key) {
            // One SW_GP2 key per chip: a second user key cannot come from the fuses.
            if (warnings != nullptr) {
                warnings->push_back(fmt::format(
                    "{} uses another key than region 0; the part holds one SW_GP2 key, so "
                    "BEE_KEY1_SEL stays 0 (key register) and software must load that key",
                    region_name(i)));
            }
            continue;
        }
        out.push_back(field_setting(
            dev, i == 0 ? "BEE_KEY0_SEL" : "BEE_KEY1_SEL", sel,
            fmt::format("{} key from {}", region_name(i), otpmk ? "the OTPMK" : "SW_GP2")));
    }
    if (!otpmk) {
        // SPSDK's order (sw_key_fuses): the lowest word takes the last four key bytes.
        const Key& key = *config.regions[0].key;
        for (std::uint32_t w = 0; w < 4; ++w) {
            const std::string name = fmt::format("SW_GP2_{}", w);
            const device::FuseWord* fw = dev.fuse(name);
            if (fw == nullptr) {
                throw Error(ErrorCode::Internal,
                            fmt::format("{}: fuse word {} missing", dev.name, name));
            }
            out.push_back(
                FuseSetting{name, name, fw->index, 0xFFFFFFFF, load_be32(&key[12 - 4 * w]),
                            fmt::format("user key bytes {}..{}", 12 - 4 * w, 15 - 4 * w)});
        }
    }
    return out;
}

Result encrypt_image(ByteView image, std::uint32_t image_address, const device::Device& dev,
                     const Config& config) {
    Result res;
    res.fuses = fuse_settings(dev, config, &res.warnings);
    res.data.assign(image.begin(), image.end());
    const bool device_encrypts = config.source == KeySource::Otpmk && !config.regions[0].key;
    if (device_encrypts) {
        if (config.regions.size() != 1) {
            throw Error(ErrorCode::BadInput,
                        "BEE: OTPMK mode without a key lets the flashloader build one region "
                        "header; give one region");
        }
        res.flashloader_option = otpmk_option_block(config.regions[0].facs);
        if (image_address < kFlexspiBase + kHeaderOffsets[1] + kHeaderSize &&
            image.size() > kHeaderOffsets[0]) {
            // Writing the padding after the option block would program zeros over the header.
            res.warnings.push_back(
                "the flashloader writes the BEE header at 0x400 when it gets the option block: "
                "write this image from its IVT (0x60001000, as NXP does: build without padding), "
                "not over 0x400..0xBFF");
        }
        res.regions.push_back(
            Region{0, RegionHeader{{}, Prdb{kModeCtr, 0, {}, config.regions[0].facs, 0, 0}}, {}});
        return res;
    }
    if (image_address != kFlexspiBase) {
        throw Error(ErrorCode::Usage,
                    fmt::format("BEE headers go to boot device offsets 0x400 and 0x800: the "
                                "image must start at 0x{:08X} (build with padding); this one "
                                "starts at 0x{:08X}",
                                kFlexspiBase, image_address));
    }
    const std::size_t headers_end = kHeaderOffsets[config.regions.size() - 1] + kHeaderSize;
    if (res.data.size() < headers_end) {
        throw Error(ErrorCode::BadInput,
                    fmt::format("the image is {} bytes; BEE headers need the first 0x{:X}",
                                res.data.size(), headers_end));
    }
    for (std::size_t i = 0; i < config.regions.size(); ++i) {
        const RegionConfig& rc = config.regions[i];
        const ByteView slot = ByteView(res.data).subspan(kHeaderOffsets[i], kHeaderSize);
        if (std::any_of(slot.begin(), slot.end(), [](std::uint8_t b) { return b != 0; })) {
            throw Error(ErrorCode::BadInput,
                        fmt::format("the image holds data at 0x{:X}..0x{:X}, where the {} "
                                    "header goes",
                                    kHeaderOffsets[i], kHeaderOffsets[i] + kHeaderSize - 1,
                                    region_name(i)));
        }
        Region r;
        r.slot = static_cast<std::uint32_t>(i);
        r.key = rc.key;
        r.header.kib.key = rc.kib_key.value_or(random_key(16));
        r.header.kib.iv = rc.kib_iv.value_or(random_key(16));
        r.header.prdb.nonce = rc.nonce.value_or(random_key(12));
        r.header.prdb.lock = rc.lock;
        r.header.prdb.facs = rc.facs;
        const Bytes prdb = serialize_prdb(r.header.prdb);
        r.header.prdb.start = load_le32(&prdb[0x10]);
        r.header.prdb.end = load_le32(&prdb[0x14]);
        res.regions.push_back(std::move(r));
    }
    // Encrypt the data first (the header slots lie below every FAC), then place the headers.
    for (const Region& r : res.regions)
        crypt_data(res.data, image_address, r.header.prdb, *r.key);
    for (const Region& r : res.regions) {
        const Bytes slot = encrypt_header(r.header, *r.key);
        std::copy(slot.begin(), slot.end(), res.data.begin() + kHeaderOffsets[r.slot]);
    }
    return res;
}

std::vector<std::uint32_t> header_slots(ByteView image) {
    std::vector<std::uint32_t> slots;
    for (std::uint32_t i = 0; i < kHeaderOffsets.size(); ++i) {
        if (image.size() >= kHeaderOffsets[i] + kHeaderSize &&
            looks_like_header(image.subspan(kHeaderOffsets[i], kHeaderSize))) {
            slots.push_back(i);
        }
    }
    return slots;
}

Decrypted decrypt_image(ByteView image, std::span<const Key> keys, const std::string& name) {
    const std::vector<std::uint32_t> slots = header_slots(image);
    if (slots.empty()) {
        throw Error(ErrorCode::BadInput,
                    fmt::format("{}: no BEE header at offset 0x400 or 0x800 (the file must "
                                "start at the beginning of the boot device)",
                                name));
    }
    if (keys.empty())
        throw Error(ErrorCode::Usage, fmt::format("{}: decrypting BEE needs the region key", name));
    Decrypted out;
    out.data.assign(image.begin(), image.end());
    for (std::uint32_t slot : slots) {
        const Key& key = keys[std::min<std::size_t>(slot, keys.size() - 1)];
        const std::uint32_t off = kHeaderOffsets[slot];
        Region r;
        r.slot = slot;
        r.key = key;
        r.header =
            decrypt_header(image.subspan(off, kHeaderSize), key,
                           fmt::format("{}: {} header at 0x{:X}", name, region_name(slot), off));
        out.regions.push_back(r);
    }
    for (const Region& r : out.regions) {
        crypt_data(out.data, kFlexspiBase, r.header.prdb, *r.key);
        std::fill_n(out.data.begin() + kHeaderOffsets[r.slot], kHeaderSize, 0);
    }
    return out;
}

}  // namespace rtprov::bee
