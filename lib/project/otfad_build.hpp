#pragma once
// The OTFAD step of build_outputs() (internal to lib/project).

#include <cstdint>

#include "rtprov/project/build_outputs.hpp"

namespace rtprov::project::detail {

// Refuses the encryption sections the part cannot run (otfad: on a part without OTFAD, bee: on
// the RT1010, both, or either with hab.encrypt) with the reason, then OTFAD-encrypts `out.data`
// (at `data_address`) when `spec.otfad` is set. Runs after signing: HAB checks the plain image,
// which is what the core reads through the OTFAD.
void apply_otfad(const BuildSpec& spec, std::uint32_t data_address, BuildOutputs& out);

}  // namespace rtprov::project::detail
