// The BEE part of a package: fuse words as fields of their words (mask), the user key as secret
// words, the OTPMK encrypt-on-write step, and the checks that keep a package bootable.

#include "export_bee.hpp"
#include "export_fuses.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "rtprov/bee/bee.hpp"
#include "rtprov/boot/image.hpp"
#include "rtprov/util/error.hpp"

namespace rtprov::pkg {

namespace {

using namespace detail;

constexpr std::string_view kSwGp2Lock = "SW_GP2_LOCK";
constexpr std::string_view kSwGp2ReadLock = "SW_GP2_RLOCK";

[[noreturn]] void refuse(const std::filesystem::path& project, const std::string& why) {
    throw Error(ErrorCode::Usage, fmt::format("{}: bee: {}", project.string(), why));
}

// A user-key image is checked by import-pkg and write without its key: the IVT, its boot data
// and the CSF must read the same encrypted and decrypted.
void check_clear_boot_structures(const project::BuildOutputs& built, const std::string& name,
                                 const std::filesystem::path& project) {
    std::vector<bee::Key> keys;
    for (const bee::Region& r : built.bee->regions)
        keys.push_back(*r.key);
    const bee::Decrypted plain = bee::decrypt_image(built.data, keys, name);
    const boot::ParsedImage p = boot::parse_boot_image(plain.data, name);
    const std::vector<ClearPart> parts = clear_parts(p);
    for (const bee::Region& r : built.bee->regions) {
        for (const bee::Fac& f : r.header.prdb.facs) {
            for (const ClearPart& part : parts) {
                if (part.start < f.end() && f.start < part.start + part.length) {
                    refuse(project,
                           fmt::format("user-key: the protected range 0x{:08X}+0x{:X} covers the "
                                       "image's {} at 0x{:08X}: a package is checked without its "
                                       "key, so the boot structures must stay in the clear; start "
                                       "the range after them (at the application)",
                                       f.start, f.length, part.what, part.start));
                }
            }
        }
    }
}

// OTPMK: the flashloader builds the region header at 0x400 and encrypts what it writes once it
// has the option block, which it takes after the erases and the FCB (it programs the header
// at once) and before the image.
void add_otpmk_step(Manifest& m, const project::BuildOutputs& built, const ImageEntry& image,
                    const std::filesystem::path& project) {
    if (!built.is_signed) {
        refuse(project,
               "otpmk: NXP offers BEE with OTPMK only for HAB-signed images; give the project a "
               "hab: section, or use mode: user-key");
    }
    if (built.bee->flashloader_option.empty()) {
        refuse(project,
               "otpmk with a key: the image would be encrypted for one part's OTPMK; leave the "
               "key out so that the flashloader encrypts with each part's own");
    }
    const std::uint64_t header_end =
        std::uint64_t{bee::kFlexspiBase} + bee::kHeaderOffsets[0] + bee::kHeaderSize;
    if (image.address < header_end) {
        refuse(project,
               fmt::format("otpmk: the image starts at 0x{:08X} and would be written over the "
                           "BEE header the flashloader writes at 0x{:08X}; build it without "
                           "padding (padding: false: it starts at its IVT, and `rtprov write` "
                           "has the flashloader program the FCB)",
                           image.address, bee::kFlexspiBase + bee::kHeaderOffsets[0]));
    }
    add_before_write(m, image, built.bee->flashloader_option);
}

}  // namespace

void check_bee_project(const project::BuildSpec& spec, const std::filesystem::path& project) {
    if (!spec.bee)
        return;
    for (std::size_t i = 0; i < spec.bee->regions.size(); ++i) {
        const project::BeeRegionSpec& r = spec.bee->regions[i];
        for (const auto& [inline_key, name] :
             {std::pair{r.key.has_value(), "key"}, std::pair{r.kib_key.has_value(), "kib_key"}}) {
            if (!inline_key)
                continue;
            refuse(project,
                   fmt::format("regions[{}].{} is written in the project file, and the project "
                               "file goes into the package: the key would be in it in the "
                               "clear; put the 16 bytes in a file and name it with {}_file "
                               "(key files stay out of the package)",
                               i, name, name));
        }
    }
}

void check_bee_build(const project::BuildSpec& spec, const project::BuildOutputs& built,
                     const std::filesystem::path& project) {
    if (!spec.bee || !built.bee)
        return;
    if (spec.bee->mode == bee::KeySource::UserKey) {
        if (!built.bee->warnings.empty()) {
            // fuse_settings' only warning: a second user key, which no fuse can hold.
            refuse(project, fmt::format("user-key: {}", built.bee->warnings.front()));
        }
        check_clear_boot_structures(built, "the BEE image", project);
    }
}

std::vector<Secret> add_bee(Manifest& m, const project::BuildSpec& spec,
                            const project::BuildOutputs& built,
                            const std::filesystem::path& project) {
    if (!spec.bee || !built.bee)
        return {};
    const device::Device& dev = *built.options.device;
    const ImageEntry& image = m.images.front();
    const bool otpmk = spec.bee->mode == bee::KeySource::Otpmk;
    std::vector<FuseWordPlan> fuses;
    std::vector<Secret> secrets;
    for (const bee::FuseSetting& f : built.bee->fuses) {
        if (f.word.starts_with("SW_GP2"))
            add_key_word(fuses, secrets, f, kSwGp2Lock);
    }
    for (const bee::FuseSetting& f : built.bee->fuses) {
        if (!f.word.starts_with("SW_GP2"))
            add_field(fuses, dev, f.word, f.mask, f.value);
    }
    // The ROM takes ENCRYPTED_XIP from the fuses only when BT_FUSE_SEL is 1.
    const device::FuseField* sel = dev.fuse_field("BT_FUSE_SEL");
    if (sel == nullptr)
        throw Error(ErrorCode::Internal, fmt::format("{} has no BT_FUSE_SEL", dev.name));
    add_field(fuses, dev, sel->word, field_mask(*sel), field_mask(*sel));
    // In burning order: the key words, BOOT_CFG0 (ENCRYPTED_XIP), BOOT_CFG1 (the key
    // selectors, then BT_FUSE_SEL in the same word), as bee::fuse_settings lists them.
    if (otpmk)
        add_otpmk_step(m, built, image, project);
    std::vector<std::string> words;
    for (const FuseWordPlan& f : fuses)
        words.push_back(f.word);
    m.fuses.insert(m.fuses.end(), fuses.begin(), fuses.end());
    std::vector<std::string_view> locks;
    if (!otpmk)
        locks = {kSwGp2Lock, kSwGp2ReadLock};
    add_to_plan(m, words, locks);
    const Feature* feature = find_feature(otpmk ? "bee-otpmk" : "bee-user-key");
    m.required.push_back({std::string(feature->name), std::string(feature->added_in)});
    return secrets;
}

}  // namespace rtprov::pkg
