// NXP's BD command files: the grammar (convert::parse_bd), its meaning as a HAB/boot
// configuration (convert::parse_bd_config) and that of its CSF sections
// (convert::detail::hab_from_sections). Paths named in the file are not opened.
#include "../../lib/convert/csf_sections.hpp"
#include "fuzz_support.hpp"
#include "rtprov/convert/bd_parser.hpp"
#include "rtprov/convert/vendor_config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace rtprov;
    const std::string_view text = fuzz::text_of(data, size);
    fuzz::expect_parse_or_reject([&] { (void)convert::parse_bd(text, "fuzz.bd"); });
    fuzz::expect_parse_or_reject([&] {
        (void)convert::detail::hab_from_sections(convert::parse_bd_config(text, "fuzz.bd"));
    });
    return 0;
}
