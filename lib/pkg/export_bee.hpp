#pragma once
// export_package's BEE part (issue 17): what a project's `bee:` section adds to its package.
//
// OTPMK mode: the image stays plain in the package (only the part knows its OTPMK); the write
// plan has the flashloader encrypt while it writes (configure-memory with
// bee::otpmk_option_block after the FCB is programmed, before the image is written) and the fuse
// plan burns BEE_KEY0_SEL = OTPMK, ENCRYPTED_XIP and BT_FUSE_SEL (feature bee-otpmk).
// User-key mode: the image is encrypted on the host; the fuse plan burns the key into
// SW_GP2_0..3 as secret words ("fuse:SW_GP2_n"), then BEE_KEY0_SEL = SW_GP2, ENCRYPTED_XIP,
// BT_FUSE_SEL, and locks SW_GP2 (SW_GP2_LOCK, then SW_GP2_RLOCK) last (feature bee-user-key).

#include <filesystem>
#include <vector>

#include "rtprov/pkg/manifest.hpp"
#include "rtprov/pkg/seal.hpp"
#include "rtprov/project/build_outputs.hpp"
#include "rtprov/project/build_spec.hpp"

namespace rtprov::pkg {

// Before the build: Error(Usage) naming `project` when a region's key or kib_key is written in
// the project file itself (which the package carries): keys go into a package only sealed.
void check_bee_project(const project::BuildSpec& spec, const std::filesystem::path& project);

// Checks a bee: project's build before it is placed in a package: Error(Usage) naming `project`
// for a user-key image whose boot structures (IVT, boot data, DCD, CSF) lie inside a protected
// range (a package is checked without its key) or with a second user key (no fuse holds it).
void check_bee_build(const project::BuildSpec& spec, const project::BuildOutputs& built,
                     const std::filesystem::path& project);

// Adds the BEE fuse words, write-plan steps and required feature of `spec.bee` to `m` (its write
// plan already made from the images and the SRK fuses) and returns the secrets the plan names
// (user-key mode: the four SW_GP2 words, little-endian as burned), for the caller to seal; an
// empty list for OTPMK mode. Does nothing without `spec.bee`. Throws Error(Usage) naming
// `project` for an OTPMK image that is not HAB-signed, one encrypted for a given OTPMK, and one
// that covers the BEE header slot the flashloader writes (padding).
std::vector<Secret> add_bee(Manifest& m, const project::BuildSpec& spec,
                            const project::BuildOutputs& built,
                            const std::filesystem::path& project);

}  // namespace rtprov::pkg
