#pragma once
// OTFAD results as build and info show them: contexts (ranges, flags; keys and counters only with
// --show-keys), fuses (the SW_GP2 words hold the KEK: their values only with --show-keys), the
// flashloader option block (text and JSON with plain integers).

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "output.hpp"
#include "rtprov/otfad/otfad.hpp"

namespace rtprov::cli {

nlohmann::json otfad_contexts_json(const std::vector<otfad::Context>& contexts, bool show_keys);
// What build did: KEK source, who encrypts, contexts, fuses, flashloader option block.
nlohmann::json otfad_result_json(const otfad::Result& r, otfad::KekSource source,
                                 bool show_keys);

void print_otfad_contexts(Output& out, const std::vector<otfad::Context>& contexts,
                          bool show_keys);
void print_otfad_result(Output& out, const otfad::Result& r, bool show_keys);

// info --otfad-kek FILE: the image decrypted with the 16-byte KEK in `kek_file` (nullopt when
// no file is given). Throws Error naming the file or the key blob that does not unwrap.
std::optional<otfad::Decrypted> decrypt_otfad_for_info(ByteView image,
                                                       const std::string& kek_file,
                                                       const std::string& name);

}  // namespace rtprov::cli
