#include "source_checks.hpp"

#include <clang/AST/ASTConsumer.h>
#include <clang/AST/ASTContext.h>
#include <clang/AST/Attr.h>
#include <clang/AST/DeclCXX.h>
#include <clang/AST/DeclTemplate.h>
#include <clang/AST/Mangle.h>
#include <clang/AST/ParentMapContext.h>
#include <clang/AST/RecursiveASTVisitor.h>
#include <clang/Basic/Diagnostic.h>
#include <clang/Basic/FileManager.h>
#include <clang/Basic/SourceManager.h>
#include <clang/Frontend/CompilerInstance.h>
#include <clang/Frontend/FrontendAction.h>
#include <clang/Lex/Lexer.h>
#include <clang/Lex/PPCallbacks.h>
#include <clang/Lex/Preprocessor.h>
#include <clang/Tooling/Tooling.h>
#include <llvm/ADT/SmallString.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <optional>
#include <string_view>

#include "bpfkit/section_alignment.hpp"

namespace bpfkit::check {

namespace {

using namespace clang;

constexpr std::string_view core_annotation = "bpfkit:core";
constexpr std::string_view keyword_annotation = "bpfkit:keyword=";
constexpr std::string_view test_annotation = "bpfkit:";

// Builtins inside which clang records CO-RE relocations for every access.
bool is_core_builtin(const CallExpr *call) {
  const FunctionDecl *callee = call->getDirectCallee();
  if (!callee || !callee->getIdentifier()) return false;
  std::string_view name = callee->getName();
  return name == "__builtin_preserve_access_index" || name == "__builtin_preserve_field_info" ||
         name == "__builtin_preserve_type_info" || name == "__builtin_preserve_enum_value" ||
         name == "__builtin_btf_type_id";
}

std::optional<std::string> annotation(const Decl *decl, std::string_view prefix) {
  for (const auto *attr : decl->specific_attrs<AnnotateAttr>()) {
    std::string_view text = attr->getAnnotation();
    if (text.starts_with(prefix)) return std::string(text.substr(prefix.size()));
  }
  return std::nullopt;
}

// The named struct a field belongs to (anonymous structs and unions are
// parts of their enclosing one).
const RecordDecl *named_record(const RecordDecl *record) {
  while (record && !record->getIdentifier() && !record->getTypedefNameForAnonDecl()) {
    const auto *parent = dyn_cast<RecordDecl>(record->getDeclContext());
    if (!parent) break;
    record = parent;
  }
  return record;
}

std::string record_name(const RecordDecl *record) {
  record = named_record(record);
  if (const TypedefNameDecl *name = record->getTypedefNameForAnonDecl())
    return name->getNameAsString();
  return std::string(record->isUnion() ? "union " : "struct ") + record->getNameAsString();
}

std::string bare_record_name(const RecordDecl *record) {
  record = named_record(record);
  if (const TypedefNameDecl *name = record->getTypedefNameForAnonDecl())
    return name->getNameAsString();
  return record->getNameAsString();
}

// Collects clang's errors (the source does not parse) and the warnings that
// mean a BTF attribute was dropped because the source is C++.
class diagnostics_collector : public DiagnosticConsumer {
 public:
  struct ignored_attribute {
    SourceLocation where;
    std::string attribute;
  };

  void HandleDiagnostic(DiagnosticsEngine::Level level, const Diagnostic &info) override {
    DiagnosticConsumer::HandleDiagnostic(level, info);
    llvm::SmallString<256> text;
    info.FormatDiagnostic(text);
    if (level >= DiagnosticsEngine::Error) {
      std::string where;
      if (info.hasSourceManager() && info.getLocation().isValid()) {
        PresumedLoc p = info.getSourceManager().getPresumedLoc(info.getLocation());
        if (p.isValid())
          where = std::string(p.getFilename()) + ":" + std::to_string(p.getLine()) + ":" +
                  std::to_string(p.getColumn()) + ": ";
      }
      errors.push_back(where + std::string(text.str()));
      return;
    }
    for (const char *attribute : {"preserve_access_index", "btf_decl_tag", "btf_type_tag"}) {
      if (std::string_view(text.str()) == "'" + std::string(attribute) + "' attribute ignored")
        ignored.push_back({info.getLocation(), attribute});
    }
  }

  std::vector<std::string> errors;
  std::vector<ignored_attribute> ignored;
};

// libbpf macros whose BTF type tags C++ drops.
class tag_macro_watcher : public PPCallbacks {
 public:
  struct use {
    SourceLocation where;
    std::string macro;
  };
  void MacroExpands(const Token &name, const MacroDefinition &, SourceRange range,
                    const MacroArgs *) override {
    const IdentifierInfo *id = name.getIdentifierInfo();
    if (!id) return;
    std::string_view macro = id->getName();
    if (macro == "__kptr" || macro == "__kptr_ref" || macro == "__kptr_untrusted" ||
        macro == "__percpu_kptr" || macro == "__rcu" || macro == "__user")
      uses.push_back({range.getBegin(), std::string(macro)});
  }
  std::vector<use> uses;
};

class checker : public RecursiveASTVisitor<checker> {
 public:
  checker(ASTContext &context, source_analysis &result)
      : context_(context), sm_(context.getSourceManager()), names_(context), result_(result) {}

  bool shouldVisitTemplateInstantiations() const { return true; }

  // vmlinux.h, libbpf's headers: C declarations with nothing to check, and
  // most of the AST.
  bool TraverseDecl(Decl *decl) {
    if (decl && !isa<TranslationUnitDecl>(decl) && !isa<NamespaceDecl>(decl) &&
        !isa<LinkageSpecDecl>(decl) && in_system_header(decl->getLocation()))
      return true;
    return RecursiveASTVisitor::TraverseDecl(decl);
  }

  // --- contexts where an access is a CO-RE relocation or not code -------------

  bool TraverseCallExpr(CallExpr *call, DataRecursionQueue * = nullptr) {
    const bool core = is_core_builtin(call);
    core_depth_ += core;
    bool ok = RecursiveASTVisitor::TraverseCallExpr(call);
    core_depth_ -= core;
    return ok;
  }
  bool TraverseUnaryExprOrTypeTraitExpr(UnaryExprOrTypeTraitExpr *e,
                                        DataRecursionQueue * = nullptr) {
    ++unevaluated_;
    bool ok = RecursiveASTVisitor::TraverseUnaryExprOrTypeTraitExpr(e);
    --unevaluated_;
    return ok;
  }
  bool TraverseCXXNoexceptExpr(CXXNoexceptExpr *e, DataRecursionQueue * = nullptr) {
    ++unevaluated_;
    bool ok = RecursiveASTVisitor::TraverseCXXNoexceptExpr(e);
    --unevaluated_;
    return ok;
  }
  // A static_assert on a kernel layout (vmlinux.h's own checks) runs no code.
  bool TraverseStaticAssertDecl(StaticAssertDecl *decl) {
    ++unevaluated_;
    bool ok = RecursiveASTVisitor::TraverseStaticAssertDecl(decl);
    --unevaluated_;
    return ok;
  }
  bool TraverseDecltypeTypeLoc(DecltypeTypeLoc type) {
    ++unevaluated_;
    bool ok = RecursiveASTVisitor::TraverseDecltypeTypeLoc(type);
    --unevaluated_;
    return ok;
  }
  bool TraverseTypeOfExprTypeLoc(TypeOfExprTypeLoc type) {
    ++unevaluated_;
    bool ok = RecursiveASTVisitor::TraverseTypeOfExprTypeLoc(type);
    --unevaluated_;
    return ok;
  }

  // --- kernel struct accesses ---------------------------------------------------

  bool VisitMemberExpr(MemberExpr *e) {
    const auto *field = dyn_cast<FieldDecl>(e->getMemberDecl());
    if (!field || field->isAnonymousStructOrUnion() || unevaluated_) return true;
    SourceLocation where = e->getMemberLoc();
    if (where.isInvalid() || in_system_header(where)) return true;
    const RecordDecl *record = field->getParent();

    if (auto c_name = annotation(field, keyword_annotation)) {
      add(where,
          "field '" + *c_name + "' of " + record_name(record) + " is spelled '" +
              field->getNameAsString() +
              "' in C++ (its C name is a C++ keyword); CO-RE finds fields by name, so no "
              "relocation can reach it and a direct read would use this kernel's offset",
          "read it in a C source of this object (a .bpf.c file) and call that from C++ "
          "through an extern \"C\" function");
      return true;
    }
    if (auto c_name = annotation(named_record(record), keyword_annotation)) {
      if (core_depth_) {
        add(where,
            record_name(record) + " is spelled '" + bare_record_name(record) +
                "' in C++ (its C name '" + *c_name +
                "' is a C++ keyword); CO-RE finds types by name, so this relocation cannot "
                "resolve",
            "read it in a C source of this object (a .bpf.c file)");
        return true;
      }
    }
    if (core_depth_ || !annotation(record, core_annotation)) return true;
    if (!first_on_line(where, "core")) return true;
    add(where,
        "'" + source_text(e->getSourceRange()) + "' uses this kernel's fixed offset of " +
            bare_record_name(record) + "::" + field->getNameAsString() +
            ": clang ignores preserve_access_index in C++, so no CO-RE relocation is emitted",
        address_taken(e) ? "keep the address relocatable: __builtin_preserve_access_index(&" +
                               source_text(e->getSourceRange()) + ")"
                         : core_read_fix(e));
    return true;
  }

  bool VisitOffsetOfExpr(OffsetOfExpr *e) {
    if (unevaluated_ || in_system_header(e->getBeginLoc())) return true;
    for (unsigned i = 0; i < e->getNumComponents(); ++i) {
      const OffsetOfNode &node = e->getComponent(i);
      if (node.getKind() != OffsetOfNode::Field) continue;
      const FieldDecl *field = node.getField();
      if (!annotation(field->getParent(), core_annotation)) continue;
      std::string type = e->getTypeSourceInfo()->getType().getAsString(context_.getPrintingPolicy());
      add(e->getBeginLoc(),
          "offsetof(" + type + ", " + field->getNameAsString() +
              ") is this kernel's offset of a kernel struct field, not a CO-RE relocation",
          "use bpf_core_field_offset(" + type + ", " + field->getNameAsString() +
              ") from <bpf/bpf_core_read.h>");
      return true;
    }
    return true;
  }

  // --- functions ----------------------------------------------------------------

  bool VisitFunctionDecl(FunctionDecl *function) {
    if (!function->doesThisDeclarationHaveABody()) return true;
    if (in_system_header(function->getLocation())) return true;
    const bool program = function->hasAttr<SectionAttr>();
    const bool method = isa<CXXMethodDecl>(function);
    const bool templated = function->getTemplatedKind() != FunctionDecl::TK_NonTemplate;
    const bool named = function->getIdentifier() != nullptr;
    const std::string name = named ? function->getName().str() : function->getNameAsString();
    const std::string symbol = names_.getName(function);
    declare(symbol, function->getLocation());
    if (templated) declare(diagnostic_name(function), function->getLocation());  // BTF: f<int>

    if (program) {
      if (method) {
        add(function->getLocation(),
            "program '" + function->getQualifiedNameAsString() +
                "' is a member function: libbpf loads programs by their symbol, which C++ "
                "mangles and gives a hidden 'this' parameter",
            "define it as a free function at namespace scope: SEC(\"...\") int " + name +
                "(...)");
        return true;
      }
      if (templated) {
        add(function->getLocation(),
            "program '" + function->getNameAsString() +
                "' is a function template: each instantiation would get a mangled name and "
                "a BTF name such as '" + name + "<int>' that the kernel refuses",
            "make it a plain function; call a template from it instead");
        return true;
      }
      for (const auto *attr : function->specific_attrs<AnnotateAttr>()) {
        std::string_view text = attr->getAnnotation();
        if (text.starts_with(test_annotation))
          result_.plan.annotations.emplace_back(name, std::string(text));
      }
    }
    if (method || templated || !named || function->isExternC()) return true;

    declare(name, function->getLocation());
    if (symbol != name) result_.plan.function_names.emplace(symbol, name);
    if (function->isExternallyVisible() || program)
      external_functions_[name].push_back(function);

    // Functions that keep their BTF (programs, global and noinline ones):
    // their parameter types are written into it.
    const bool keeps_btf = program || function->hasAttr<NoInlineAttr>() ||
                           (function->isExternallyVisible() &&
                            !function->isInlined());
    if (!keeps_btf) return true;
    for (const ParmVarDecl *param : function->parameters()) {
      QualType type = param->getType();
      if (type->isReferenceType()) {
        add(param->getLocation(),
            "parameter '" + param->getNameAsString() + "' of " +
                (program ? "program '" : "function '") + name +
                "' is a reference: BTF has no reference types, so clang writes 'void' for it "
                "and the kernel rejects the object's BTF",
            "pass a pointer (" +
                type.getNonReferenceType().getAsString(context_.getPrintingPolicy()) +
                " *), or make the function static __always_inline");
        continue;
      }
      check_btf_type(type,
                     "function '" + name + "': the type of its parameter '" +
                         param->getNameAsString() + "',",
                     param->getLocation());
    }
    return true;
  }

  // Records by their BTF name (`counter<int>` for an instantiation), for the
  // object checks' messages.
  bool VisitCXXRecordDecl(CXXRecordDecl *record) {
    if (record->isThisDeclarationADefinition() && record->getIdentifier() &&
        !in_system_header(record->getLocation()))
      declare(diagnostic_name(record), record->getLocation());
    return true;
  }

  // --- variables ------------------------------------------------------------------

  bool VisitVarDecl(VarDecl *var) {
    if (!var->hasGlobalStorage()) return true;
    if (in_system_header(var->getLocation())) return true;
    if (var->isStaticLocal()) {  // a global too, in .bss or .data
      check_alignment(var, "static variable '" + var->getNameAsString() + "'");
      return true;
    }
    if (var->isLocalVarDeclOrParm()) return true;
    const SectionAttr *section = var->getAttr<SectionAttr>();
    const bool map = section && section->getName() == ".maps";
    const std::string what = std::string(map ? "map '" : "global '") + var->getNameAsString() + "'";
    const std::string symbol = names_.getName(var);
    declare(symbol, var->getLocation());

    const DeclContext *scope = var->getDeclContext()->getRedeclContext();
    const bool in_class = var->isStaticDataMember();
    const bool in_namespace = scope->isNamespace();
    if ((in_class || in_namespace) && !var->isExternC()) {
      const bool constant = var->getType().isConstQualified() || var->isConstexpr();
      if (map || !constant) {
        std::string where = in_class ? "class '" + cast<NamedDecl>(scope)->getNameAsString() + "'"
                                     : "namespace '" + namespace_name(scope) + "'";
        add(var->getLocation(),
            what + " is declared in " + where + ": C++ mangles its name to '" + symbol +
                "', which becomes its " + (map ? "map" : "BTF variable") +
                " name (libbpf, the skeleton and bpftool would show that)",
            std::string("define it at global scope") +
                (in_namespace ? " (outside any namespace); types and functions may stay in it"
                              : ", outside the class"));
      }
      return true;
    }
    if (!scope->isTranslationUnit()) return true;

    if (var->isThisDeclarationADefinition() == VarDecl::Definition) {
      // C gives every file-scope variable without `static` external
      // linkage; C++ gives a const one, or one of an unnamed struct type
      // (every `struct { ... } map SEC(".maps")`), internal linkage, which
      // libbpf refuses for maps and the skeleton hides for globals.
      if (!var->isExternallyVisible() && var->getStorageClass() != SC_Static)
        result_.plan.make_global.insert(var->getName().str());
      check_initialization(var, what);
      check_alignment(var, what);
    }
    if (map)
      check_map_types(var);
    else
      check_btf_type(var->getType(), what + ": its type", var->getLocation());
    return true;
  }

  // Reports programs and global functions that share a name: BPF names a
  // function by its plain name.
  void check_overloads() {
    for (const auto &[name, functions] : external_functions_) {
      if (functions.size() < 2) continue;
      for (std::size_t i = 1; i < functions.size(); ++i) {
        source_location first = locate(functions[0]->getLocation());
        add(functions[i]->getLocation(),
            "function '" + name + "' is also defined at " + first.file + ":" +
                std::to_string(first.line) +
                ": BPF names functions by their plain name, so overloads and functions of "
                "one name in different namespaces collide",
            "give each a distinct name, or make all but one static");
      }
    }
  }

  void report_ignored_attribute(SourceLocation where, const std::string &attribute) {
    if (where.isInvalid() || in_system_header(where)) return;
    if (attribute == "preserve_access_index" &&
        std::filesystem::path(sm_.getFilename(sm_.getSpellingLoc(where)).str()).filename() == "vmlinux.h")
      add(where,
          "clang ignores preserve_access_index in C++: this C vmlinux.h, found before bpfkit's "
          "C++ one, would make reads of kernel struct fields use this kernel's fixed offsets",
          "let C++ sources find bpfkit's generated vmlinux.h: move this one out of their include "
          "path (keep it for C sources with INCLUDE_DIRECTORIES of a C-only object)");
    else if (attribute == "preserve_access_index")
      add(where,
          "clang ignores preserve_access_index in C++: reads of this struct's fields would "
          "use fixed offsets",
          "read its fields with BPF_CORE_READ() or inside __builtin_preserve_access_index(), "
          "or declare the struct in a C source");
    else
      add(where, "clang ignores " + attribute + " in C++: the object's BTF would lack it",
          attribute == "btf_decl_tag"
              ? "for test expectations use <bpfkit/test.h>, which works in C++"
              : "declare the tagged type in a C source of this object");
  }

  void report_tag_macro(SourceLocation where, const std::string &macro) {
    if (where.isInvalid() || in_system_header(where)) return;
    add(where,
        macro + " is a BTF type tag, which clang ignores in C++: the kernel would see a plain "
                "pointer",
        "declare the struct with " + macro + " fields in a C source of this object");
  }

 private:
  bool in_system_header(SourceLocation where) const {
    return sm_.isInSystemHeader(sm_.getFileLoc(where));
  }

  source_location locate(SourceLocation where) const {
    source_location out;
    SourceLocation file_loc = sm_.getFileLoc(where);
    PresumedLoc p = sm_.getPresumedLoc(file_loc);
    if (p.isInvalid()) return out;
    out.file = p.getFilename();
    out.line = p.getLine();
    out.column = p.getColumn();
    bool invalid = false;
    const char *data = sm_.getCharacterData(file_loc, &invalid);
    if (!invalid) {
      const char *begin = data - (out.column - 1);
      const char *end = begin;
      while (*end && *end != '\n' && *end != '\r') ++end;
      out.text.assign(begin, end);
    }
    return out;
  }

  // (A template and its instantiations report one mistake once.)
  void add(SourceLocation where, std::string message, std::string fix) {
    source_location at = locate(where);
    const std::string key = at.file + ":" + std::to_string(at.line) + ":" +
                            std::to_string(at.column) + ":" + message;
    if (!reported_.insert(key).second) return;
    result_.findings.push_back({std::move(at), std::move(message), std::move(fix)});
  }

  void declare(const std::string &name, SourceLocation where) {
    result_.plan.declarations.emplace(name, locate(where));
  }

  // One report per line and check: `task->real_parent->tgid` is one mistake.
  bool first_on_line(SourceLocation where, const char *check) {
    source_location at = locate(where);
    return reported_lines_.insert(at.file + ":" + std::to_string(at.line) + ":" + check).second;
  }

  bool address_taken(const Expr *e) {
    for (const DynTypedNode &parent : context_.getParents(*e)) {
      if (const auto *op = parent.get<UnaryOperator>()) return op->getOpcode() == UO_AddrOf;
      if (const auto *paren = parent.get<ParenExpr>()) return address_taken(paren);
    }
    return false;
  }

  std::string source_text(SourceRange range) const {
    CharSourceRange chars = CharSourceRange::getTokenRange(range);
    chars = Lexer::makeFileCharRange(chars, sm_, context_.getLangOpts());
    if (chars.isInvalid()) return "...";
    return Lexer::getSourceText(chars, sm_, context_.getLangOpts()).str();
  }

  // BPF_CORE_READ(root, f1, f2, ...) for a chain of kernel field accesses.
  std::string core_read_fix(const MemberExpr *access) const {
    std::vector<std::string> fields;
    const Expr *base = access;
    while (const auto *member = dyn_cast<MemberExpr>(base->IgnoreParenImpCasts())) {
      const auto *field = dyn_cast<FieldDecl>(member->getMemberDecl());
      if (!field) break;
      if (!field->isAnonymousStructOrUnion()) fields.insert(fields.begin(), field->getNameAsString());
      base = member->getBase();
      if (!member->isArrow()) {
        // `a.b` inside the chain: BPF_CORE_READ takes the address of the root.
        if (!isa<MemberExpr>(base->IgnoreParenImpCasts())) {
          std::string root = "&" + source_text(base->getSourceRange());
          return join_fix(root, fields, access);
        }
      }
    }
    return join_fix(source_text(base->getSourceRange()), fields, access);
  }

  std::string join_fix(const std::string &root, const std::vector<std::string> &fields,
                       const MemberExpr *access) const {
    std::string list;
    for (const auto &f : fields) list += ", " + f;
    return "read it through CO-RE: BPF_CORE_READ(" + root + list +
           ") (a probe read), or __builtin_preserve_access_index(" +
           source_text(access->getSourceRange()) +
           ") for a direct load where the program type allows one";
  }

  std::string diagnostic_name(const NamedDecl *decl) const {
    std::string text;
    llvm::raw_string_ostream out(text);
    decl->getNameForDiagnostic(out, context_.getPrintingPolicy(), /*Qualified=*/false);
    return out.str();
  }

  std::string namespace_name(const DeclContext *scope) const {
    const auto *ns = cast<NamespaceDecl>(scope);
    return ns->isAnonymousNamespace() ? "(anonymous)" : ns->getQualifiedNameAsString();
  }

  void check_initialization(const VarDecl *var, const std::string &what) {
    const Expr *init = var->getInit();
    const bool dynamic =
        init && !var->getType()->isDependentType() &&
        !init->isConstantInitializer(context_, var->getType()->isReferenceType());
    if (dynamic)
      add(var->getLocation(),
          what + " needs code to run before the program (a constructor or a computed "
                 "initializer): BPF objects have no static initialization",
          "give it a constant initializer (mark it constinit to have the compiler check)");
    else if (var->needsDestruction(context_) != QualType::DK_none)
      add(var->getLocation(),
          what + " has a destructor: BPF objects have no static destruction",
          "use a type with a trivial destructor");
  }

  // A section is aligned as its most aligned variable, and rewriting the
  // object (object_edit.cpp, libelf) lays it out by that: refused here, at
  // the variable, before the object can grow by the padding.
  void check_alignment(const VarDecl *var, const std::string &what) {
    // A template's pattern has no layout yet; its instantiations are checked.
    const QualType type = var->getType();
    if (var->isInvalidDecl() || type->isDependentType() || type->isIncompleteType()) return;
    const auto bytes = static_cast<std::uint64_t>(context_.getDeclAlign(var).getQuantity());
    if (bytes <= max_section_alignment) return;
    add(var->getLocation(),
        what + " is aligned to " + std::to_string(bytes) + " bytes, more than " +
            std::to_string(max_section_alignment) +
            "; its section, and so the object, would be padded to that alignment",
        section_alignment_hint());
  }

  // The key, value and inner-map types of a BTF-defined map.
  void check_map_types(const VarDecl *map) {
    const auto *record = map->getType()->getAsRecordDecl();
    if (!record) return;
    for (const FieldDecl *field : record->fields()) {
      std::string role = field->getNameAsString();
      if (role != "key" && role != "value" && role != "values") continue;
      QualType type = field->getType();
      if (const auto *array = context_.getAsArrayType(type)) type = array->getElementType();
      if (!type->isPointerType()) continue;
      check_btf_type(type->getPointeeType(),
                     "map '" + map->getNameAsString() + "': its " + role + " type",
                     field->getLocation().isValid() && !in_system_header(field->getLocation())
                         ? field->getLocation()
                         : map->getLocation());
    }
  }

  // What C++ adds to a struct that BTF cannot say: the kernel rejects the
  // object's BTF, or libbpf sees a type other than the one C++ sees.
  void check_btf_type(QualType type, const std::string &role, SourceLocation use) {
    std::set<const CXXRecordDecl *> seen;
    check_btf_type(type, role, use, seen);
  }

  void check_btf_type(QualType type, const std::string &role, SourceLocation use,
                      std::set<const CXXRecordDecl *> &seen) {
    type = type.getCanonicalType();
    while (true) {
      if (type->isReferenceType()) {
        add(use, role + " is a reference: BTF has no reference types (clang writes 'void')",
            "use a pointer");
        return;
      }
      if (const auto *pointer = type->getAs<PointerType>()) {
        type = pointer->getPointeeType().getCanonicalType();
      } else if (const auto *array = context_.getAsArrayType(type)) {
        type = array->getElementType().getCanonicalType();
      } else {
        break;
      }
    }
    const auto *record = type->getAsCXXRecordDecl();
    if (!record || in_system_header(record->getLocation())) return;  // vmlinux.h: C types
    if (!seen.insert(record->getCanonicalDecl()).second) return;
    source_location declared = locate(record->getLocation());
    const std::string name = diagnostic_name(record);
    const std::string is = role + " '" + name + "' (" + declared.file + ":" +
                           std::to_string(declared.line) + ") ";

    // An instantiation reaches BTF even when only pointed to (as a FWD).
    if (isa<ClassTemplateSpecializationDecl>(record)) {
      add(use,
          is + "is a template instantiation: its BTF name '" + name +
              "' is not an identifier, so the kernel rejects the object's BTF",
          "use a plain struct for the types BPF stores (templates are fine in code)");
    }
    if (!(record = record->getDefinition())) return;
    if (record->isClass()) {
      add(use,
          is + "is declared with 'class': clang writes no BTF for a class (it leaves 'void', "
               "which the kernel rejects)",
          "declare it with 'struct'");
    }
    if (record->getNumBases() || record->getNumVBases()) {
      add(use, is + "has base classes: BTF keeps none of a base's members",
          "make the base a member, or repeat its fields");
    }
    if (record->isPolymorphic()) {
      add(use, is + "has virtual functions: BPF has no vtables and BTF cannot describe them",
          "remove the virtual functions");
    }
    for (const CXXMethodDecl *method : record->methods()) {
      if (method->isImplicit()) continue;
      add(use,
          is + "has the member function '" + method->getNameAsString() +
              "': clang writes it into the struct's BTF as a member of type 'void', which the "
              "kernel rejects",
          "make it a free function that takes the struct");
      break;
    }
    for (const Decl *member : record->decls()) {
      if (const auto *var = dyn_cast<VarDecl>(member); var && var->isStaticDataMember()) {
        add(use,
            is + "has the static member '" + var->getNameAsString() +
                "': clang writes it into the struct's BTF as a member of type 'void', which "
                "the kernel rejects",
            "move it out of the struct (a constexpr at namespace scope)");
        break;
      }
    }
    for (const FieldDecl *field : record->fields()) {
      if (field->getType()->isReferenceType()) {
        add(use,
            is + "has the reference member '" + field->getNameAsString() +
                "': BTF has no reference types",
            "use a pointer");
        continue;
      }
      check_btf_type(field->getType(),
                     role + " '" + name + "' has the member '" + field->getNameAsString() +
                         "' whose type",
                     use, seen);
    }
  }

  ASTContext &context_;
  SourceManager &sm_;
  ASTNameGenerator names_;
  source_analysis &result_;
  int core_depth_ = 0;
  int unevaluated_ = 0;
  std::set<std::string> reported_lines_;
  std::set<std::string> reported_;
  std::map<std::string, std::vector<const FunctionDecl *>> external_functions_;
};

class check_consumer : public ASTConsumer {
 public:
  check_consumer(source_analysis &result, diagnostics_collector &diagnostics,
                 tag_macro_watcher *tags)
      : result_(result), diagnostics_(diagnostics), tags_(tags) {}

  void HandleTranslationUnit(ASTContext &context) override {
    if (!diagnostics_.errors.empty()) return;  // no AST to trust
    checker visitor(context, result_);
    visitor.TraverseDecl(context.getTranslationUnitDecl());
    visitor.check_overloads();
    for (const auto &ignored : diagnostics_.ignored)
      visitor.report_ignored_attribute(ignored.where, ignored.attribute);
    for (const auto &use : tags_->uses) visitor.report_tag_macro(use.where, use.macro);
  }

 private:
  source_analysis &result_;
  diagnostics_collector &diagnostics_;
  tag_macro_watcher *tags_;
};

class check_action : public ASTFrontendAction {
 public:
  check_action(source_analysis &result, diagnostics_collector &diagnostics)
      : result_(result), diagnostics_(diagnostics) {}

  std::unique_ptr<ASTConsumer> CreateASTConsumer(CompilerInstance &compiler,
                                                 llvm::StringRef) override {
    auto tags = std::make_unique<tag_macro_watcher>();
    tag_macro_watcher *watcher = tags.get();
    compiler.getPreprocessor().addPPCallbacks(std::move(tags));
    return std::make_unique<check_consumer>(result_, diagnostics_, watcher);
  }

 private:
  source_analysis &result_;
  diagnostics_collector &diagnostics_;
};

}  // namespace

source_analysis analyze_source(const compile_command &command, const std::string &resource_dir) {
  source_analysis result;
  std::vector<std::string> args = command.parse_arguments();
  // bpfkit-check's clang has its own builtin headers; warnings stay warnings
  // (the compile decides), but the attribute warnings must be on.
  args.insert(args.begin() + 1, {"-resource-dir", resource_dir});
  // __bpfkit_check__ skips vmlinux.h's layout checks: the compile runs them.
  args.insert(args.end() - 1, {"-Wno-error", "-Wignored-attributes", "-D__bpfkit_check__"});

  FileSystemOptions options;
  options.WorkingDir = command.directory;
  llvm::IntrusiveRefCntPtr<FileManager> files(new FileManager(options));
  diagnostics_collector diagnostics;
  tooling::ToolInvocation invocation(args, std::make_unique<check_action>(result, diagnostics),
                                     files.get());
  invocation.setDiagnosticConsumer(&diagnostics);
  bool ran = invocation.run();
  result.parse_errors = diagnostics.errors;
  if (!ran && result.parse_errors.empty())
    result.parse_errors.push_back("clang could not run on " + command.source);
  return result;
}

}  // namespace bpfkit::check
