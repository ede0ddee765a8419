package rw.intake.sample.internal;

import java.util.List;
import java.util.SplittableRandom;

/** The words the generator draws from: Rwandan names, e-mail domains, header synonyms, extra columns. */
final class Vocabulary {

    static final List<String> FAMILY_NAMES = List.of(
            "Uwimana",
            "Mugisha",
            "Niyonzima",
            "Habimana",
            "Uwase",
            "Mukamana",
            "Ndayisaba",
            "Nshimiyimana",
            "Hakizimana",
            "Iradukunda",
            "Ishimwe",
            "Mutoni",
            "Keza",
            "Kagabo",
            "Rugwiza",
            "Byiringiro",
            "Munyaneza",
            "Nsengiyumva",
            "Tuyishime",
            "Uwamahoro",
            "Niyigena",
            "Nyiraneza",
            "Mukeshimana",
            "Bizimana",
            "Habyarimana",
            "Ingabire",
            "Uwineza",
            "Nkurunziza",
            "Ntawukuriryayo",
            "Umutesi",
            "Mukandayisenga",
            "Twagirayezu",
            "Ngabonziza",
            "Nzabonimpa",
            "Uwera",
            "Murekatete",
            "Kayitesi",
            "Gatera",
            "Rwigema",
            "Sebagenzi",
            "Kamanzi",
            "Mbabazi",
            "Nyirahabimana",
            "Dusabimana",
            "Hategekimana",
            "Manirakiza",
            "Ntirenganya",
            "Uwingabire",
            "Nsabimana",
            "Mukantwari");

    static final List<String> MALE_GIVEN_NAMES = List.of(
            "Jean",
            "Eric",
            "Emmanuel",
            "Patrick",
            "Jean de Dieu",
            "Jean Bosco",
            "Jean-Paul",
            "Aimable",
            "Olivier",
            "Innocent",
            "Fabrice",
            "Yves",
            "Pacifique",
            "Théogène",
            "Désiré",
            "Claude",
            "Jean Claude",
            "Samuel",
            "Didier",
            "Alexis",
            "Eugène",
            "Faustin",
            "Gilbert",
            "Felix",
            "Kwizera",
            "Ganza",
            "Shema",
            "Gisa",
            "Mugabo",
            "Ndahiro",
            "Cyusa",
            "Hirwa",
            "Manzi",
            "Mucyo",
            "Bruce",
            "Kevin",
            "Elie",
            "Théoneste");

    static final List<String> FEMALE_GIVEN_NAMES = List.of(
            "Marie",
            "Marie-Claire",
            "Alice",
            "Grace",
            "Diane",
            "Claudine",
            "Josiane",
            "Vestine",
            "Ange",
            "Divine",
            "Chantal",
            "Espérance",
            "Immaculée",
            "Clarisse",
            "Aline",
            "Sandrine",
            "Delphine",
            "Solange",
            "Marie Louise",
            "Jeanne d'Arc",
            "Béatrice",
            "Florence",
            "Odette",
            "Francine",
            "Joséphine",
            "Agnès",
            "Teta",
            "Ineza",
            "Mahoro",
            "Umutoni",
            "Gaju",
            "Keza",
            "Kaneza",
            "Shimwa",
            "Uwase",
            "Nadine",
            "Yvonne");

    static final List<String> EMAIL_DOMAINS = List.of(
            "gmail.com",
            "gmail.com",
            "gmail.com",
            "gmail.com",
            "yahoo.fr",
            "yahoo.com",
            "outlook.com",
            "hotmail.com",
            "icloud.com",
            "ur.ac.rw",
            "mtn.co.rw");

    /** Header synonyms of the rules page, each field's list in {@code Field} order, canonical name first. */
    static final List<List<String>> HEADERS = List.of(
            List.of("Names", "Full Name", "Full Names", "Name", "FULL NAMES", "full_name"),
            List.of("NID", "National ID", "National ID Number", "ID Number", "National_Id", "ID number"),
            List.of("Phone Number", "Phone No", "Phone", "Mobile", "Mobile Number", "Telephone", "MSISDN", "Phone No."),
            List.of("Gender", "Sex", "SEX", "sex"),
            List.of("Email", "E-mail", "Email Address", "E-Mail", "email_address"));

    /** Extra columns: a header that maps to no field and the values it holds. */
    static final List<List<String>> EXTRA_COLUMNS = List.of(
            List.of(
                    "District",
                    "Gasabo",
                    "Kicukiro",
                    "Nyarugenge",
                    "Musanze",
                    "Huye",
                    "Rubavu",
                    "Nyagatare",
                    "Rwamagana",
                    "Muhanga",
                    "Karongi",
                    "Rusizi",
                    "Bugesera",
                    "Kayonza"),
            List.of("Notes", "", "", "called twice", "to confirm", "moved to Kigali", "ok", "see file 2"),
            List.of("Sector", "Remera", "Kimironko", "Kacyiru", "Gikondo", "Nyamirambo", "Muhoza", "Ngoma"),
            List.of("Village", "Amahoro", "Ubumwe", "Urugwiro", "Imena", "Isangano", "Intwari"),
            List.of("Occupation", "Farmer", "Teacher", "Trader", "Student", "Nurse", "Driver", "Tailor"),
            List.of("Marital Status", "Single", "Married", "Widowed", "Divorced"),
            List.of("Registered By", "clerk01", "clerk02", "clerk07", "agent-musanze"),
            List.of("Province", "Kigali City", "Northern", "Southern", "Eastern", "Western"));

    static final List<String> INVALID_GENDERS =
            List.of("Gabo", "Gore", "X", "Other", "Mr", "Mrs", "Homme", "Femme", "0", "1", "Boy", "Girl", "N/A");

    private Vocabulary() {}

    static <T> T pick(List<T> list, SplittableRandom rng) {
        return list.get(rng.nextInt(list.size()));
    }
}
