// Syntax highlighting per QuickTry language. Languages without a CodeMirror mode of their own borrow
// the closest one (nim → python, elixir → ruby, ada → pascal) or get plain text.
import { StreamLanguage } from "@codemirror/language";
import { cpp } from "@codemirror/lang-cpp";
import { java } from "@codemirror/lang-java";
import { javascript } from "@codemirror/lang-javascript";
import { php } from "@codemirror/lang-php";
import { python } from "@codemirror/lang-python";
import { rust } from "@codemirror/lang-rust";
import { sql, SQLite } from "@codemirror/lang-sql";
import { csharp, kotlin, scala } from "@codemirror/legacy-modes/mode/clike";
import { cobol } from "@codemirror/legacy-modes/mode/cobol";
import { commonLisp } from "@codemirror/legacy-modes/mode/commonlisp";
import { d } from "@codemirror/legacy-modes/mode/d";
import { erlang } from "@codemirror/legacy-modes/mode/erlang";
import { fortran } from "@codemirror/legacy-modes/mode/fortran";
import { go } from "@codemirror/legacy-modes/mode/go";
import { haskell } from "@codemirror/legacy-modes/mode/haskell";
import { lua } from "@codemirror/legacy-modes/mode/lua";
import { oCaml } from "@codemirror/legacy-modes/mode/mllike";
import { pascal } from "@codemirror/legacy-modes/mode/pascal";
import { perl } from "@codemirror/legacy-modes/mode/perl";
import { r } from "@codemirror/legacy-modes/mode/r";
import { ruby } from "@codemirror/legacy-modes/mode/ruby";
import { scheme } from "@codemirror/legacy-modes/mode/scheme";
import { shell } from "@codemirror/legacy-modes/mode/shell";
import { tcl } from "@codemirror/legacy-modes/mode/tcl";

const legacy = (mode) => () => StreamLanguage.define(mode);

const byName = {
  python3: () => python(),
  nim: () => python(),
  javascript: () => javascript(),
  typescript: () => javascript({ typescript: true }),
  c: () => cpp(),
  cpp: () => cpp(),
  java: () => java(),
  rust: () => rust(),
  php: () => php({ plain: false }),
  sqlite: () => sql({ dialect: SQLite }),
  csharp: legacy(csharp),
  kotlin: legacy(kotlin),
  scala: legacy(scala),
  cobol: legacy(cobol),
  commonlisp: legacy(commonLisp),
  d: legacy(d),
  erlang: legacy(erlang),
  fortran: legacy(fortran),
  go: legacy(go),
  haskell: legacy(haskell),
  lua: legacy(lua),
  ocaml: legacy(oCaml),
  pascal: legacy(pascal),
  ada: legacy(pascal),
  perl: legacy(perl),
  r: legacy(r),
  ruby: legacy(ruby),
  elixir: legacy(ruby),
  scheme: legacy(scheme),
  racket: legacy(scheme),
  bash: legacy(shell),
  awk: legacy(shell),
  tcl: legacy(tcl),
};

/** The CodeMirror language support for a QuickTry language name, or none (plain text). */
export function syntaxFor(name) {
  const make = byName[name];
  return make ? make() : [];
}
