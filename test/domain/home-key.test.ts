import { describe, expect, it } from "vitest";
import { homeKey } from "../../domain/listing.js";

const base = { postcode: "2628 TR", houseNumber: "12", houseNumberAddition: "", street: "Van Hasseltlaan", city: "Delft" };

describe("homeKey", () => {
  it("keys on postcode, number and addition when the postcode is known", () => {
    expect(homeKey(base)).toBe("pc:2628TR:12:");
    expect(homeKey({ ...base, houseNumberAddition: "A" })).toBe("pc:2628TR:12:a");
  });

  it("gives the same key for the ways sites write one door", () => {
    const a = homeKey({ ...base, houseNumberAddition: "A" });
    expect(homeKey({ ...base, houseNumberAddition: "-a" })).toBe(a);
    expect(homeKey({ ...base, houseNumberAddition: " a " })).toBe(a);
    expect(homeKey({ ...base, houseNumber: "12A" })).toBe(a);
    expect(homeKey({ ...base, houseNumber: "012", houseNumberAddition: "A" })).toBe(a);
    // Street spelling does not matter when the postcode is there.
    expect(homeKey({ ...base, street: "van Hasseltlaan ", houseNumberAddition: "a" })).toBe(a);
    // Amsterdam floors: "-3" and "3" are one door, "H" another.
    expect(homeKey({ ...base, houseNumberAddition: "-3" })).toBe(homeKey({ ...base, houseNumberAddition: "3" }));
    expect(homeKey({ ...base, houseNumberAddition: "H" })).not.toBe(homeKey({ ...base, houseNumberAddition: "3" }));
  });

  it("tells different doors and postcodes apart", () => {
    expect(homeKey({ ...base, houseNumber: "14" })).not.toBe(homeKey(base));
    expect(homeKey({ ...base, postcode: "2628 TS" })).not.toBe(homeKey(base));
  });

  it("falls back to city, street and number without a postcode", () => {
    const key = homeKey({ ...base, postcode: null });
    expect(key).toBe("addr:delft:van hasseltlaan:12:");
    expect(homeKey({ ...base, postcode: null, street: "VAN HASSELTLAAN", city: " delft" })).toBe(key);
    expect(homeKey({ ...base, postcode: null, street: "Café-straat", city: "'s-Gravenhage" })).toBe("addr:s gravenhage:cafe straat:12:");
    expect(homeKey({ ...base, postcode: "not a postcode" })).toBe(key);
  });

  it("is null when there is no house number to tell doors apart", () => {
    expect(homeKey({ ...base, houseNumber: "" })).toBeNull();
    expect(homeKey({ ...base, houseNumber: "ong." })).toBeNull();
    expect(homeKey({ ...base, postcode: null, street: "", houseNumber: "5" })).toBeNull();
  });
});
