// The OTFAD part of a package (RT1010): fuse words as fields of their words, the KEK as secret
// words, the OTPMK encrypt-on-write step, and the checks that keep a package bootable.

#include "export_otfad.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "export_fuses.hpp"
#include "rtprov/boot/image.hpp"
#include "rtprov/otfad/otfad.hpp"
#include "rtprov/util/error.hpp"

namespace rtprov::pkg {

namespace {

using namespace detail;

[[noreturn]] void refuse(const std::filesystem::path& project, const std::string& why) {
    throw Error(ErrorCode::Usage, fmt::format("{}: otfad: {}", project.string(), why));
}

bool otpmk(const project::OtfadSpec& spec) {
    return spec.kek_source != otfad::KekSource::SwGp2;
}

// Burn order: the key words, the scramble mask, OTFAD_CFG, then BOOT_CFG0 (ENCRYPTED_XIP) and
// BOOT_CFG1 (the key selectors with BT_FUSE_SEL, which makes the ROM read the others) last.
int burn_rank(const std::string& word) {
    if (word.starts_with("SW_GP2"))
        return 0;
    if (word == "OTFAD_KEY_SCRAMBLE")
        return 1;
    if (word == "OTFAD_CFG")
        return 2;
    return word == "BOOT_CFG0" ? 3 : 4;
}

// The package is checked without the keys: the IVT, its boot data, the DCD and the CSF must lie
// outside every encrypted range.
void check_clear_boot_structures(const project::BuildOutputs& built,
                                 const std::filesystem::path& project) {
    // SW_GP2: the image (from the FlexSPI base) decrypted with its contexts; OTPMK: plain.
    Bytes plain = built.data;
    if (!built.otfad->key_blobs.empty())
        otfad::crypt_data(plain, otfad::kFlexspiBase, built.otfad->contexts);
    const boot::ParsedImage p = boot::parse_boot_image(plain, "the OTFAD image");
    const std::vector<ClearPart> parts = clear_parts(p);
    for (const otfad::Context& c : built.otfad->contexts) {
        for (const ClearPart& part : parts) {
            if (part.start < c.end && c.start < part.start + part.length) {
                refuse(project,
                       fmt::format("the encrypted range 0x{:08X}..0x{:08X} covers the image's {} "
                                   "at 0x{:08X}: a package is checked without its keys, so the "
                                   "boot structures must stay in the clear; give regions that "
                                   "start after them (at the application)",
                                   c.start, c.end - 1, part.what, part.start));
            }
        }
    }
}

}  // namespace

void check_otfad_project(const project::BuildSpec& spec, const std::filesystem::path& project) {
    if (spec.otfad && otpmk(*spec.otfad) && spec.otfad->kek_file) {
        refuse(project,
               fmt::format("kek_source {} with a kek_file: the image would be encrypted for one "
                           "part's OTPMK; leave kek_file out so that the flashloader encrypts "
                           "with each part's own",
                           otfad::kek_source_name(spec.otfad->kek_source)));
    }
}

void check_otfad_build(const project::BuildSpec& spec, const project::BuildOutputs& built,
                       const std::filesystem::path& project) {
    if (!spec.otfad || !built.otfad)
        return;
    if (otpmk(*spec.otfad)) {
        const std::uint32_t start = boot::parse_boot_image(built.data, "the image").file_address;
        if (start < otfad::kFlexspiBase + otfad::kTableSize) {
            refuse(project,
                   fmt::format("the image starts at 0x{:08X} and would be written over the key "
                               "blob table the flashloader writes at 0x{:08X}..0x{:08X}; build "
                               "it without padding (padding: false: it starts at its IVT, and "
                               "`rtprov write` has the flashloader program the FCB)",
                               start, otfad::kFlexspiBase,
                               otfad::kFlexspiBase + otfad::kTableSize - 1));
        }
    }
    check_clear_boot_structures(built, project);
}

std::vector<Secret> add_otfad(Manifest& m, const project::BuildSpec& spec,
                              const project::BuildOutputs& built) {
    if (!spec.otfad || !built.otfad)
        return {};
    const device::Device& dev = *built.options.device;
    const bool from_otpmk = otpmk(*spec.otfad);
    const bool kek_locked = std::any_of(built.otfad->fuses.begin(), built.otfad->fuses.end(),
                                        [](const auto& f) { return f.name == "SW_GP2_LOCK"; });
    std::vector<FuseWordPlan> fuses;
    std::vector<Secret> secrets;
    std::vector<std::string_view> locks;
    for (const otfad::FuseSetting& f : built.otfad->fuses) {
        if (f.word == "LOCK")
            locks.push_back(f.name);  // as lock steps, in fuse_settings' order
        else if (f.word.starts_with("SW_GP2"))
            add_key_word(fuses, secrets, f, kek_locked ? "SW_GP2_LOCK" : "");
        else
            add_field(fuses, dev, f.word, f.mask, f.value);
    }
    for (FuseWordPlan& f : fuses) {
        if (f.word.starts_with("OTFAD")) {  // 0x620..0x640: MAC_ADDR_LOCK
            f.lock = LockPolicy::AfterVerify;
            f.lock_field = "MAC_ADDR_LOCK";
        }
    }
    std::stable_sort(fuses.begin(), fuses.end(), [](const auto& a, const auto& b) {
        return burn_rank(a.word) < burn_rank(b.word);
    });
    if (from_otpmk)
        add_before_write(m, m.images.front(), built.otfad->flashloader_option);
    std::vector<std::string> words;
    for (const FuseWordPlan& f : fuses)
        words.push_back(f.word);
    m.fuses.insert(m.fuses.end(), fuses.begin(), fuses.end());
    add_to_plan(m, words, locks);
    const Feature* feature = find_feature(from_otpmk ? "otfad-otpmk" : "otfad-user-key");
    m.required.push_back({std::string(feature->name), std::string(feature->added_in)});
    return secrets;
}

}  // namespace rtprov::pkg
