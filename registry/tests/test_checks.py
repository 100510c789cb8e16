"""The tax-code check and the normalised names that find duplicate enterprises."""

import pytest

from registry.checks import name_normalise, tax_code_check_digit, tax_code_problem


def test_check_digit_follows_the_weights():
    # 0100109106 is the well-known example of the algorithm: 31*0+29*1+23*0+19*0+17*1+13*0
    # +7*9+5*1+3*0 = 114; 114 mod 11 = 4; 10 - 4 = 6.
    assert tax_code_check_digit("010010910") == 6
    assert tax_code_problem("0100109106") is None


@pytest.mark.parametrize("code", ["0100109106", "0100109106-001", "0100 109 106",
                                  "0100109106-999"])
def test_valid_codes(code):
    assert tax_code_problem(code) is None


@pytest.mark.parametrize("code,fragment", [
    ("0100109107", "check digit"),      # wrong check digit
    ("010010910", "10 digits"),         # too short
    ("01001091066", "10 digits"),       # too long
    ("0100109106-01", "10 digits"),     # branch of 2 digits
    ("0100109106-000", "001"),          # branch 000
    ("01001O9106", "10 digits"),        # a letter O
    ("", "10 digits"),
])
def test_invalid_codes_say_why(code, fragment):
    problem = tax_code_problem(code)
    assert problem is not None and fragment in problem


def test_a_prefix_whose_check_would_be_ten_is_never_valid():
    # find nine digits whose weighted sum is 0 mod 11: no tenth digit makes them valid
    prefix = next(f"57{i:07d}" for i in range(10**6) if tax_code_check_digit(f"57{i:07d}") is None)
    assert all(tax_code_problem(f"{prefix}{d}") for d in range(10))


def test_names_normalise_case_accents_spacing_and_legal_form():
    a = name_normalise("Công ty Cổ phần  Than Hà Lầm - Vinacomin")
    b = name_normalise("CTCP than ha lam – VINACOMIN")
    assert a == b
    assert name_normalise("Đèo Nai") == "deo nai"
    assert name_normalise("Than Hà Tu") != name_normalise("Than Hà Lầm")
