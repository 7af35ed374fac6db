#pragma once
// export_package's OTFAD part (issue 17, RT1010): what a project's `otfad:` section adds to its
// package.
//
// OTPMK modes (otpmk-low, otpmk-high): the image stays plain in the package (only the part knows
// its OTPMK) and is written from its IVT, never over offset 0..0xFF; the write plan has the
// flashloader make the key blob table and encrypt while it writes (configure-memory with
// otfad::otpmk_option_block right before the image is written), and the fuse plan burns
// OTFAD_KEY_SEL1 = 0 with OTFAD_KEY_SEL0 (the half), OTFAD_ENABLE, ENCRYPTED_XIP and
// BT_FUSE_SEL, then MAC_ADDR_LOCK (feature otfad-otpmk).
// SW_GP2 mode: the image is encrypted on the host, with its key blob table at flash offset 0;
// the fuse plan burns the KEK into SW_GP2_0..3 as secret words ("fuse:SW_GP2_n"), the
// scrambling words when the project scrambles, OTFAD_KEY_SEL1 = 1 and the same enables, then
// SW_GP2_LOCK, SW_GP2_RLOCK (lock_kek) and MAC_ADDR_LOCK last (feature otfad-user-key).

#include <filesystem>
#include <vector>

#include "rtprov/pkg/manifest.hpp"
#include "rtprov/pkg/seal.hpp"
#include "rtprov/project/build_outputs.hpp"
#include "rtprov/project/build_spec.hpp"

namespace rtprov::pkg {

// Before the build: Error(Usage) naming `project` for an OTPMK project that gives a kek_file
// (its image would be encrypted for the one part whose OTPMK half that is).
void check_otfad_project(const project::BuildSpec& spec, const std::filesystem::path& project);

// Checks an otfad: project's build before it is placed in a package: Error(Usage) naming
// `project` for an image whose boot structures (IVT, boot data, DCD, CSF) lie inside an
// encrypted range (a package is checked without its keys), or an OTPMK image that would be
// written over the key blob table the flashloader writes at offset 0 (padding).
void check_otfad_build(const project::BuildSpec& spec, const project::BuildOutputs& built,
                       const std::filesystem::path& project);

// Adds the OTFAD fuse words, write-plan steps and required feature of `spec.otfad` to `m` (its
// write plan already made from the images and the SRK fuses) and returns the secrets the plan
// names (SW_GP2 mode: the four SW_GP2 words, little-endian as burned), for the caller to seal;
// an empty list for the OTPMK modes. Does nothing without `spec.otfad`.
std::vector<Secret> add_otfad(Manifest& m, const project::BuildSpec& spec,
                              const project::BuildOutputs& built);

}  // namespace rtprov::pkg
