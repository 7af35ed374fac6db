#pragma once
// Building a project's outputs in one call: resolve the spec, build the bootable image and, with
// a `hab:` section, sign it. What `rtprov build -c` and `rtprov export-pkg` share, so both always
// build from the files on disk.

#include <optional>
#include <string>

#include "rtprov/bee/bee.hpp"
#include "rtprov/boot/image.hpp"
#include "rtprov/otfad/otfad.hpp"
#include "rtprov/project/build_spec.hpp"
#include "rtprov/util/bytes.hpp"

namespace rtprov::project {

struct BuildOutputs {
    boot::BuildOptions options;  // what resolve() made of the spec
    boot::BootImage image;       // the unsigned image (its warnings included)
    Bytes data;                  // the final file: `image.data`, or the signed image
    bool is_signed = false;
    Bytes srk_table;  // signed only: the SRK table used
    Bytes srk_hash;   // signed only: its SHA-256 fuse hash
    // With a flashloader: section: its image as given, and signed with the hab: keys (when the
    // section asks for it, by default with a hab: section).
    std::optional<Bytes> flashloader;
    std::optional<Bytes> flashloader_signed;
    // With a bee: section: headers, fuses and (OTPMK without key) the flashloader option block;
    // `data` is then the encrypted image.
    std::optional<bee::Result> bee;
    // With an otfad: section (RT1010): key blobs, contexts, fuses and (OTPMK without KEK) the
    // flashloader option block; `data` is then the encrypted image with the key blobs at 0.
    std::optional<otfad::Result> otfad;
};

// Resolves `spec`, builds the image, signs it when `spec.hab` is set and BEE-encrypts it when
// `spec.bee` is set. `env_password` is the
// value of RTPROV_KEY_PASSWORD (used when the hab section names no password file); `name` is
// used in signing errors. Throws Error naming the file or setting at fault.
BuildOutputs build_outputs(const BuildSpec& spec, const std::optional<std::string>& env_password,
                           const std::string& name);

}  // namespace rtprov::project
