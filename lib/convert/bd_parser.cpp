#include "rtprov/convert/bd_parser.hpp"

#include <cctype>
#include <optional>

#include <fmt/format.h>

#include "rtprov/util/error.hpp"
#include "rtprov/util/file.hpp"
#include "rtprov/util/parse.hpp"

namespace rtprov::convert {

namespace {

struct Token {
    enum class Kind { Identifier, Number, String, Punct, End };
    Kind kind = Kind::End;
    std::string text;  // identifier, number spelling, string contents, punctuation character
    BdLocation where;
};

std::string describe(const Token& t) {
    switch (t.kind) {
        case Token::Kind::Identifier:
            return fmt::format("'{}'", t.text);
        case Token::Kind::Number:
            return fmt::format("number {}", t.text);
        case Token::Kind::String:
            return fmt::format("string \"{}\"", t.text);
        case Token::Kind::Punct:
            return fmt::format("'{}'", t.text);
        case Token::Kind::End:
            break;
    }
    return "end of file";
}

class Lexer {
  public:
    // A UTF-8 byte order mark (Windows editors write one) is not part of the text.
    Lexer(std::string_view text, const std::string& name)
        : text_(text.starts_with("\xEF\xBB\xBF") ? text.substr(3) : text), name_(name) {}

    [[noreturn]] void fail(BdLocation at, const std::string& what) const {
        throw Error(ErrorCode::BadInput,
                    fmt::format("{}:{}:{}: {}", name_, at.line, at.column, what));
    }

    Token next() {
        skip_space_and_comments();
        Token t;
        t.where = here();
        if (pos_ >= text_.size())
            return t;
        const char c = text_[pos_];
        if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
            t.kind = Token::Kind::Identifier;
            while (pos_ < text_.size() &&
                   (std::isalnum(static_cast<unsigned char>(text_[pos_])) || text_[pos_] == '_')) {
                t.text += advance();
            }
        } else if (std::isdigit(static_cast<unsigned char>(c))) {
            t.kind = Token::Kind::Number;
            while (pos_ < text_.size() &&
                   (std::isalnum(static_cast<unsigned char>(text_[pos_])) || text_[pos_] == '_')) {
                t.text += advance();
            }
            if (!parse_uint(t.text))
                fail(t.where, fmt::format("'{}' is not a number", t.text));
        } else if (c == '"') {
            t.kind = Token::Kind::String;
            advance();
            // The one escape is \" (a quote). Any other backslash stays: BD files written on
            // Windows hold paths like "gen_hab_certs\SRK_hash.bin", and NXP's tools read the
            // backslash as a folder separator (vendor_path does too).
            bool escaped_quote = false;
            for (;;) {
                if (pos_ >= text_.size() || text_[pos_] == '\n') {
                    fail(t.where, escaped_quote ? "unterminated string (\\\" is a quote inside "
                                                  "the string: end a folder path without '\\')"
                                                : "unterminated string");
                }
                const char s = advance();
                if (s == '"')
                    break;
                if (s == '\\' && pos_ < text_.size() && text_[pos_] == '"') {
                    t.text += advance();
                    escaped_quote = true;
                    continue;
                }
                t.text += s;
            }
        } else if (std::string_view("{}();,=").find(c) != std::string_view::npos) {
            t.kind = Token::Kind::Punct;
            t.text = advance();
        } else {
            fail(t.where, fmt::format("unexpected character '{}'", c));
        }
        return t;
    }

  private:
    BdLocation here() const { return {line_, column_}; }

    char advance() {
        const char c = text_[pos_++];
        if (c == '\n') {
            ++line_;
            column_ = 1;
        } else {
            ++column_;
        }
        return c;
    }

    void skip_space_and_comments() {
        while (pos_ < text_.size()) {
            const char c = text_[pos_];
            if (std::isspace(static_cast<unsigned char>(c))) {
                advance();
            } else if (text_.substr(pos_, 2) == "//") {
                while (pos_ < text_.size() && text_[pos_] != '\n')
                    advance();
            } else if (text_.substr(pos_, 2) == "/*") {
                const BdLocation start = here();
                advance();
                advance();
                while (pos_ < text_.size() && text_.substr(pos_, 2) != "*/")
                    advance();
                if (pos_ >= text_.size())
                    fail(start, "unterminated comment");
                advance();
                advance();
            } else {
                return;
            }
        }
    }

    std::string_view text_;
    const std::string& name_;
    std::size_t pos_ = 0;
    int line_ = 1;
    int column_ = 1;
};

class Parser {
  public:
    Parser(std::string_view text, const std::string& name) : lexer_(text, name) { shift(); }

    BdFile parse() {
        BdFile file;
        while (tok_.kind != Token::Kind::End) {
            const Token block = expect_identifier(
                "a block name (options, sources, constants, "
                "section)");
            if (block.text == "options") {
                file.options = assignments("options");
            } else if (block.text == "sources") {
                file.sources = assignments("sources");
            } else if (block.text == "constants") {
                file.constants = assignments("constants");
            } else if (block.text == "section") {
                file.sections.push_back(section(file.constants));
            } else {
                lexer_.fail(block.where,
                            fmt::format("unknown block '{}'; expected options, sources, constants "
                                        "or section",
                                        block.text));
            }
        }
        return file;
    }

  private:
    void shift() { tok_ = lexer_.next(); }

    bool at(std::string_view punct) const {
        return tok_.kind == Token::Kind::Punct && tok_.text == punct;
    }

    void expect(std::string_view punct) {
        if (!at(punct))
            lexer_.fail(tok_.where, fmt::format("expected '{}', found {}", punct, describe(tok_)));
        shift();
    }

    Token expect_identifier(std::string_view what) {
        if (tok_.kind != Token::Kind::Identifier)
            lexer_.fail(tok_.where, fmt::format("expected {}, found {}", what, describe(tok_)));
        Token t = tok_;
        shift();
        return t;
    }

    BdValue value() {
        BdValue v;
        v.where = tok_.where;
        switch (tok_.kind) {
            case Token::Kind::Number:
                v.kind = BdValue::Kind::Number;
                v.number = *parse_uint(tok_.text);
                v.text = tok_.text;
                shift();
                return v;
            case Token::Kind::String:
                v.kind = BdValue::Kind::String;
                v.text = tok_.text;
                shift();
                return v;
            case Token::Kind::Identifier:
                v.text = tok_.text;
                shift();
                if (v.text != "extern" || !at("(")) {
                    v.kind = BdValue::Kind::Identifier;
                    return v;
                }
                shift();
                if (tok_.kind != Token::Kind::Number) {
                    lexer_.fail(tok_.where, fmt::format("expected the index of extern(N), found {}",
                                                        describe(tok_)));
                }
                v.kind = BdValue::Kind::Extern;
                v.number = *parse_uint(tok_.text);
                v.text = tok_.text;
                shift();
                expect(")");
                return v;
            default:
                lexer_.fail(tok_.where, fmt::format("expected a value, found {}", describe(tok_)));
        }
    }

    BdSetting setting(const std::vector<BdSetting>& earlier, std::string_view block) {
        BdSetting s;
        const Token name = expect_identifier("a name");
        s.name = name.text;
        s.where = name.where;
        for (const auto& e : earlier) {
            if (e.name == s.name) {
                lexer_.fail(s.where, fmt::format("'{}' is set twice in {} (first at {}:{})", s.name,
                                                 block, e.where.line, e.where.column));
            }
        }
        expect("=");
        s.value = value();
        return s;
    }

    std::vector<BdSetting> assignments(std::string_view block) {
        std::vector<BdSetting> out;
        expect("{");
        while (!at("}")) {
            if (tok_.kind == Token::Kind::End)
                lexer_.fail(tok_.where, fmt::format("expected '}}' to close {}", block));
            out.push_back(setting(out, block));
            expect(";");
        }
        shift();
        return out;
    }

    BdSection section(const std::vector<BdSetting>& constants) {
        BdSection sec;
        expect("(");
        sec.where = tok_.where;
        if (tok_.kind == Token::Kind::Number) {
            sec.id = *parse_uint(tok_.text);
        } else if (tok_.kind == Token::Kind::Identifier) {
            const BdSetting* c = nullptr;
            for (const auto& k : constants)
                c = k.name == tok_.text ? &k : c;
            if (!c || c->value.kind != BdValue::Kind::Number) {
                lexer_.fail(tok_.where,
                            fmt::format("section id '{}' is not a number or a numeric constant "
                                        "defined in the constants block",
                                        tok_.text));
            }
            sec.id = c->value.number;
        } else {
            lexer_.fail(tok_.where, fmt::format("expected a section id, found {}", describe(tok_)));
        }
        sec.id_text = tok_.text;
        shift();
        if (at(";")) {
            shift();
            const std::string where = fmt::format("section {}", sec.id_text);
            while (!at(")")) {
                sec.settings.push_back(setting(sec.settings, where));
                if (!at(")"))
                    expect(",");
            }
        }
        expect(")");
        expect("{");
        if (!at("}")) {
            lexer_.fail(tok_.where, fmt::format("section {}: HAB sections have an empty body "
                                                "'{{ }}', found {}",
                                                sec.id_text, describe(tok_)));
        }
        shift();
        return sec;
    }

    Lexer lexer_;
    Token tok_;
};

}  // namespace

BdFile parse_bd(std::string_view text, const std::string& name) {
    return Parser(text, name).parse();
}

BdFile load_bd(const std::string& path) {
    return parse_bd(read_text_file(path), path);
}

}  // namespace rtprov::convert
