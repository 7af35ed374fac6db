#pragma once
// What the encryption parts of export_package (export_bee.cpp, export_otfad.cpp) share: fuse
// fields merged into their words, the user key as secret words, the plan's fuse, lock and
// encrypt-on-write steps, and the boot structures that must stay in the clear.

#include <string>
#include <string_view>
#include <vector>

#include "rtprov/bee/bee.hpp"
#include "rtprov/boot/image.hpp"
#include "rtprov/device/device.hpp"
#include "rtprov/pkg/manifest.hpp"
#include "rtprov/pkg/seal.hpp"

namespace rtprov::pkg::detail {

// The bits of a fuse field in its word.
std::uint32_t field_mask(const device::FuseField& field);

// Merges a field (mask, value already shifted) into its word's entry of `out`, adding the entry
// when the word has none (BEE_KEY0_SEL and BT_FUSE_SEL share BOOT_CFG1). Error(Internal) when
// `dev` has no such word.
void add_field(std::vector<FuseWordPlan>& out, const device::Device& dev, std::string_view word,
               std::uint32_t mask, std::uint32_t value);

// A user key word (SW_GP2_n) as a secret: the entry names "fuse:SW_GP2_n" instead of a value,
// and the secret holds the 4 bytes little-endian. Locked by `lock_field` after verification, or
// not at all when `lock_field` is empty.
void add_key_word(std::vector<FuseWordPlan>& out, std::vector<Secret>& secrets,
                  const bee::FuseSetting& word, std::string_view lock_field);

// The program-fuses step gets `words` (a step is added before the locks and the reset when the
// plan has none); one lock-fuses step per field of `locks` goes before the reset, after every
// other lock.
void add_to_plan(Manifest& m, const std::vector<std::string>& words,
                 const std::vector<std::string_view>& locks);

// A configure-memory step with `option_words` right before the write of `image` (the image must
// be in the plan: Error(Internal) otherwise).
void add_before_write(Manifest& m, const ImageEntry& image,
                      std::vector<std::uint32_t> option_words);

// A boot structure the ROM reads before it decrypts anything a package could check: a package is
// checked without its keys, so these must lie outside every encrypted range.
struct ClearPart {
    std::string_view what;  // "IVT", "boot data", "DCD", "CSF"
    std::uint64_t start = 0, length = 0;
};
// The IVT, its boot data, and the DCD and CSF when the image has them.
std::vector<ClearPart> clear_parts(const boot::ParsedImage& image);

}  // namespace rtprov::pkg::detail
