// OTFAD applied to whole bootable images: checks against the part, the key blob table at offset
// 0, range encryption, the fuses the boot needs, the flashloader's OTPMK option block,
// decryption back to the plain image.

#include <algorithm>

#include <fmt/format.h>

#include "rtprov/hab/encrypt.hpp"
#include "rtprov/otfad/otfad.hpp"
#include "rtprov/util/error.hpp"

namespace rtprov::otfad {

namespace {

constexpr std::uint32_t kOptionTag = 0xE0000000;

template <std::size_t N>
std::array<std::uint8_t, N> random_array() {
    std::array<std::uint8_t, N> a{};
    const Bytes r = hab::random_bytes(N);
    std::copy(r.begin(), r.end(), a.begin());
    return a;
}

bool otpmk(KekSource s) {
    return s != KekSource::SwGp2;
}

const device::MemoryRegion* flexspi_window(const device::Device& dev) {
    for (const auto& r : dev.memory) {
        if (r.xip && r.start == kFlexspiBase)
            return &r;
    }
    return nullptr;
}

std::string range_text(std::size_t i, const RegionConfig& r) {
    return fmt::format("OTFAD region {} (0x{:08X}+0x{:X})", i, r.start, r.length);
}

void check_config(const device::Device& dev, const Config& config) {
    if (dev.fuse_field("OTFAD_ENABLE") == nullptr) {
        throw Error(ErrorCode::Usage,
                    fmt::format("{} has no OTFAD (only the RT1010 has; encrypted XIP here is the "
                                "BEE: use a bee: section)",
                                dev.name));
    }
    if (config.regions.size() > kContexts) {
        throw Error(ErrorCode::BadInput,
                    fmt::format("OTFAD: {} regions; the RT1010's OTFAD has {} contexts",
                                config.regions.size(), kContexts));
    }
    if (config.kek_source == KekSource::SwGp2 && !config.kek) {
        throw Error(ErrorCode::BadInput,
                    "OTFAD: no KEK (sw-gp2 mode needs the key burned into SW_GP2: kek_file)");
    }
    if (config.scramble && otpmk(config.kek_source)) {
        throw Error(ErrorCode::BadInput,
                    "OTFAD: key scrambling is supported with the SW_GP2 KEK only (the "
                    "flashloader's OTPMK key blobs are not scrambled)");
    }
    const device::MemoryRegion* window = flexspi_window(dev);
    for (std::size_t i = 0; i < config.regions.size(); ++i) {
        const RegionConfig& r = config.regions[i];
        auto fail = [&](const std::string& why) {
            throw Error(ErrorCode::BadInput, fmt::format("{}: {}", range_text(i, r), why));
        };
        if (r.start % kRegionAlign != 0)
            fail("start is not a multiple of 0x400");
        if (r.length == 0 || r.length % kRegionAlign != 0)
            fail("length is not a non-zero multiple of 0x400");
        const std::uint64_t lowest = static_cast<std::uint64_t>(kFlexspiBase) + kLowestStart;
        if (window == nullptr || !window->contains(r.start, r.length) || r.start < lowest) {
            fail(fmt::format("must lie in the FlexSPI window above the key blobs and the FCB "
                             "(0x{:08X}..0x{:08X})",
                             lowest,
                             window ? static_cast<std::uint64_t>(window->start) + window->size - 1
                                    : lowest));
        }
        for (std::size_t j = 0; j < i; ++j) {
            const RegionConfig& o = config.regions[j];
            if (r.start < static_cast<std::uint64_t>(o.start) + o.length &&
                o.start < static_cast<std::uint64_t>(r.start) + r.length)
                fail(fmt::format("overlaps {}", range_text(j, o)));
        }
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

FuseSetting word_setting(const device::Device& dev, const std::string& name, std::uint32_t value,
                         std::string description) {
    const device::FuseWord* w = dev.fuse(name);
    if (w == nullptr)
        throw Error(ErrorCode::Internal, fmt::format("{}: fuse word {} missing", dev.name, name));
    return FuseSetting{name, name, w->index, 0xFFFFFFFF, value, std::move(description)};
}

// The regions to use: as configured, or one from 0x60001000 to the end of the image.
std::vector<RegionConfig> regions_for(const Config& config, std::uint32_t image_address,
                                      std::size_t image_size) {
    if (!config.regions.empty())
        return config.regions;
    const std::uint64_t start = static_cast<std::uint64_t>(kFlexspiBase) + kLowestStart;
    const std::uint64_t end = align_up(static_cast<std::uint64_t>(image_address) + image_size,
                                       kRegionAlign);
    if (end <= start) {
        throw Error(ErrorCode::BadInput,
                    fmt::format("OTFAD: the image (0x{:08X}+0x{:X}) ends before 0x{:08X}, where "
                                "the encrypted range starts; give the regions",
                                image_address, image_size, start));
    }
    RegionConfig r;
    r.start = static_cast<std::uint32_t>(start);
    r.length = static_cast<std::uint32_t>(end - start);
    return {r};
}

}  // namespace

std::string_view kek_source_name(KekSource source) {
    switch (source) {
    case KekSource::SwGp2:
        return "sw-gp2";
    case KekSource::OtpmkLow:
        return "otpmk-low";
    case KekSource::OtpmkHigh:
        return "otpmk-high";
    }
    return "?";
}

std::array<std::uint32_t, 4> sw_gp2_words(const Key& kek) {
    std::array<std::uint32_t, 4> w{};
    for (std::size_t i = 0; i < 4; ++i)
        w[i] = load_le32(&kek[12 - 4 * i]);
    return w;
}

Key kek_from_sw_gp2(const std::array<std::uint32_t, 4>& words) {
    Key k{};
    for (std::size_t i = 0; i < 4; ++i)
        store_le32(&k[12 - 4 * i], words[i]);
    return k;
}

std::vector<std::uint32_t> otpmk_option_block(KekSource source,
                                              std::span<const RegionConfig> regions) {
    const std::uint32_t high = source == KekSource::OtpmkHigh ? 1 : 0;
    std::vector<std::uint32_t> words{
        kOptionTag | (high << 12) | (static_cast<std::uint32_t>(regions.size() & 0xF) << 8)};
    for (const RegionConfig& r : regions) {
        words.push_back(r.start);
        words.push_back(r.start + r.length - 1);
    }
    return words;
}

std::vector<FuseSetting> fuse_settings(const device::Device& dev, const Config& config) {
    check_config(dev, config);
    std::vector<FuseSetting> out;
    const bool user_key = config.kek_source == KekSource::SwGp2;
    if (user_key) {
        const std::array<std::uint32_t, 4> words = sw_gp2_words(*config.kek);
        for (std::size_t i = 0; i < 4; ++i) {
            out.push_back(word_setting(dev, fmt::format("SW_GP2_{}", i), words[i],
                                       fmt::format("OTFAD KEK bytes {}..{} (little-endian)",
                                                   12 - 4 * i, 15 - 4 * i)));
        }
    }
    out.push_back(field_setting(dev, "OTFAD_KEY_SEL1", user_key ? 1 : 0,
                                user_key ? "OTFAD KEK from SW_GP2"
                                         : "OTFAD KEK from the OTPMK (OTFAD_KEY_SEL0 picks half)"));
    if (!user_key) {
        const bool high = config.kek_source == KekSource::OtpmkHigh;
        out.push_back(field_setting(dev, "OTFAD_KEY_SEL0", high ? 1 : 0,
                                    high ? "OTFAD KEK = OTPMK[255:128]" : "OTFAD KEK = OTPMK[127:0]"));
    }
    if (config.scramble) {
        out.push_back(word_setting(dev, "OTFAD_KEY_SCRAMBLE", config.scramble->mask,
                                   "OTFAD KEK scramble mask"));
        out.push_back(field_setting(dev, "OTFAD_KEY_SCRAMBLE_ALIGN", config.scramble->align,
                                    "OTFAD KEK scramble word per key blob"));
        out.push_back(field_setting(dev, "ENB_OTFAD_KEY_SCRAMBLE", 1, "scramble the OTFAD KEK"));
    }
    out.push_back(field_setting(dev, "OTFAD_ENABLE", 1, "enable OTFAD"));
    out.push_back(field_setting(dev, "ENCRYPTED_XIP", 1,
                                "boot encrypted XIP (read from fuses when BT_FUSE_SEL is 1, "
                                "else from the boot pins)"));
    out.push_back(field_setting(dev, "BT_FUSE_SEL", 1,
                                "boot configuration (ENCRYPTED_XIP, boot device) from the fuses"));
    if (user_key && config.lock_kek) {
        out.push_back(field_setting(dev, "SW_GP2_LOCK", 1, "SW_GP2 (the KEK) write lock"));
        out.push_back(field_setting(dev, "SW_GP2_RLOCK", 1,
                                    "SW_GP2 read lock: software cannot read the KEK"));
    }
    out.push_back(field_setting(dev, "MAC_ADDR_LOCK", 1,
                                "write lock of OTFAD_KEY_SCRAMBLE and OTFAD_CFG (0x620..0x640)"));
    return out;
}

Result encrypt_image(ByteView image, std::uint32_t image_address, const device::Device& dev,
                     const Config& config) {
    Result res;
    res.fuses = fuse_settings(dev, config);
    res.data.assign(image.begin(), image.end());
    const std::vector<RegionConfig> regions = regions_for(config, image_address, image.size());
    if (otpmk(config.kek_source) && !config.kek) {
        res.flashloader_option = otpmk_option_block(config.kek_source, regions);
        for (const RegionConfig& r : regions)
            res.contexts.push_back(Context{{}, {}, r.start, r.start + r.length,
                                           kFlagValid | kFlagDecrypt |
                                               (r.read_only ? kFlagReadOnly : 0)});
        if (image_address < kFlexspiBase + kTableSize && image.size() > 0) {
            // Writing the image from offset 0 would program zeros over the flashloader's blobs.
            res.warnings.push_back(
                "the flashloader writes the OTFAD key blobs at 0x000..0x0FF when it gets the "
                "option block: write this image from its FCB (0x60000400) or IVT, not over "
                "0x000..0x0FF");
        }
        return res;
    }
    if (image_address != kFlexspiBase) {
        throw Error(ErrorCode::Usage,
                    fmt::format("the OTFAD key blobs go to boot device offset 0: the image must "
                                "start at 0x{:08X} (build with padding); this one starts at "
                                "0x{:08X}",
                                kFlexspiBase, image_address));
    }
    if (res.data.size() < kLowestStart) {
        throw Error(ErrorCode::BadInput,
                    fmt::format("the image is {} bytes; an OTFAD image holds the key blobs at 0 "
                                "and the FCB at 0x400 before its IVT at 0x1000",
                                res.data.size()));
    }
    if (std::any_of(res.data.begin(), res.data.begin() + kTableSize,
                    [](std::uint8_t b) { return b != 0; })) {
        throw Error(ErrorCode::BadInput,
                    "the image holds data at 0x000..0x0FF, where the OTFAD key blobs go");
    }
    for (const RegionConfig& r : regions) {
        Context c;
        c.key = r.key.value_or(random_array<16>());
        c.counter = r.counter.value_or(random_array<8>());
        c.start = r.start;
        c.end = r.start + r.length;
        c.flags = kFlagValid | kFlagDecrypt | (r.read_only ? kFlagReadOnly : 0);
        res.contexts.push_back(c);
    }
    crypt_data(res.data, image_address, res.contexts);
    res.key_blobs = key_blob_table(res.contexts, *config.kek, config.scramble);
    std::copy(res.key_blobs.begin(), res.key_blobs.end(), res.data.begin());
    return res;
}

Decrypted decrypt_image(ByteView image, const Key& kek, const std::optional<Scramble>& scramble,
                        const std::string& name) {
    if (!looks_like_key_blob_table(image)) {
        throw Error(ErrorCode::BadInput,
                    fmt::format("{}: no OTFAD key blob table at offset 0 (the file must start at "
                                "the beginning of the boot device)",
                                name));
    }
    Decrypted out;
    const std::vector<Context> all =
        read_key_blob_table(image.first(kTableSize), kek, scramble, name);
    for (std::size_t i = 0; i < all.size(); ++i) {
        out.crc_ok = out.crc_ok && key_blob_crc_ok(image.subspan(i * kKeyBlobSize, kKeyBlobSize),
                                                    scrambled_kek(kek, scramble, i));
        if (all[i].decrypts())
            out.contexts.push_back(all[i]);
    }
    out.data.assign(image.begin(), image.end());
    crypt_data(out.data, kFlexspiBase, out.contexts);
    std::fill_n(out.data.begin(), kTableSize, 0);
    return out;
}

}  // namespace rtprov::otfad
