// Sentiment weights written by hand for Parley (see docs/SUMMARY_DATA.md). Weights run from -3 (strongly
// negative) to +3 (strongly positive). One merged table serves all six languages; words whose
// meaning flips between languages (Italian "fine", "prima", Portuguese "bravo") were left out.

/// Lexicon tables for the sentiment analyser.
enum SentimentLexicon {
    static func table(_ text: String) -> [String: Double] {
        var table: [String: Double] = [:]
        for entry in text.split(whereSeparator: { $0.isWhitespace }) {
            guard let colon = entry.lastIndex(of: ":"), let weight = Double(entry[entry.index(after: colon)...]) else { continue }
            table[String(entry[..<colon])] = weight
        }
        return table
    }

    static let english = """
    good:2 great:3 excellent:3 amazing:3 awesome:3 fantastic:3 wonderful:3 love:3 loved:3 loves:3 loving:2.5
    lovely:2.5 nice:2 nicely:1.5 cool:1.5 happy:2.5 glad:2 pleased:2 excited:2.5 exciting:2.5 perfect:3
    perfectly:2.5 best:3 better:1.5 brilliant:3 superb:3 outstanding:3 impressive:2.5 impressed:2.5 beautiful:2.5
    fun:2 enjoy:2 enjoyed:2 enjoying:2 enjoyable:2 thanks:1.5 thank:1.5 thx:1.5 appreciate:2 appreciated:2
    helpful:2 useful:1.5 works:1 fixed:1.5 solved:2 resolved:1.5 success:2.5 successful:2.5 succeeded:2.5 win:2
    won:2 wins:2 winning:2 congrats:3 congratulations:3 yay:2.5 hooray:2.5 woohoo:2.5 wow:1.5 smooth:1.5 fast:1
    stable:1.5 clean:1 easy:1.5 solid:1.5 reliable:2 recommend:2 recommended:2 favorite:2 favourite:2 proud:2
    grateful:2.5 thankful:2.5 thrilled:3 delighted:3 cheerful:2 kind:1.5 friendly:2 welcome:1.5 agree:1
    agreed:1 positive:1.5 improve:1.5 improved:2 improvement:1.5 improvements:1.5 benefit:1.5 hope:1 hopefully:1
    calm:1 safe:1 secure:1 healthy:1.5 strong:1.5 fair:1 gorgeous:3 incredible:3 incredibly:1 terrific:3
    magnificent:3 marvelous:3 marvellous:3 stellar:3 neat:1.5 sweet:1.5 lucky:2 promising:2 elegant:2 flawless:3
    seamless:2 seamlessly:2 efficient:1.5 productive:2 confident:1.5 relieved:1.5 satisfied:2 pleasant:2
    praise:2 adore:3 cheers:1.5 bravo:2.5 kudos:2.5 legendary:2.5 epic:2 rocks:2 smart:1.5 clever:1.5 genius:2.5
    haha:1 hahaha:1 lol:1 lmao:1.5 glad:2 joy:2.5 fabulous:3 wonderfully:2.5 super:2.5 fine:0 exceptional:3
    beautifully:2.5 funny:1.5 hilarious:2 interesting:1.5 wins:2 like:0 liked:1.5 likes:1 nailed:2.5 blessed:2
    optimistic:2 love:3 peace:1 relaxing:1.5 relaxed:1.5 comfortable:1.5 valuable:2 worth:1 worthwhile:2
    bad:-2.5 terrible:-3 awful:-3 horrible:-3 hate:-3 hated:-3 hates:-3 worst:-3 worse:-2 poor:-2 poorly:-2
    sad:-2 unhappy:-2.5 angry:-2.5 mad:-2 annoyed:-2 annoying:-2 frustrated:-2.5 frustrating:-2.5
    disappointed:-2.5 disappointing:-2.5 disappointment:-2.5 upset:-2 broken:-2 broke:-1.5 breaks:-1.5 bug:-1
    bugs:-1 buggy:-2 crash:-2 crashed:-2 crashes:-2 crashing:-2 fail:-2 failed:-2 fails:-2 failing:-2
    failure:-2 failures:-2 error:-1.5 errors:-1.5 wrong:-1.5 problem:-1.5 problems:-1.5 issue:-1 issues:-1
    slow:-1.5 sucks:-2.5 suck:-2.5 sucked:-2.5 ugly:-2 stupid:-2.5 useless:-2.5 pointless:-2 boring:-2
    bored:-1.5 tired:-1.5 exhausted:-2 worried:-2 worry:-1.5 worries:-1.5 afraid:-2 scared:-2 fear:-2 pain:-2
    painful:-2 hurt:-2 hurts:-2 sick:-2 sorry:-0.5 unfortunately:-1.5 sadly:-1.5 mess:-2 messy:-1.5
    disaster:-3 nightmare:-3 damn:-1.5 wtf:-2 ugh:-2 meh:-1 confusing:-1.5 confused:-1.5 lose:-1.5
    losing:-1.5 lost:-1 missed:-1 blocked:-1.5 blocker:-1.5 stuck:-1.5 delayed:-1.5 outage:-2.5 regression:-2
    flaky:-1.5 unstable:-2 insecure:-2 leak:-1.5 vulnerable:-2 difficult:-1.5 complicated:-1 expensive:-1
    lazy:-1.5 rude:-2.5 unfair:-2 hopeless:-2.5 miserable:-3 depressed:-2.5 depressing:-2.5 lonely:-2
    anxious:-2 stress:-2 stressed:-2 stressful:-2 nasty:-2.5 gross:-2 dreadful:-3 pathetic:-3 ridiculous:-2
    nonsense:-2 garbage:-2.5 trash:-2 crap:-2.5 crappy:-2.5 fault:-1.5 blame:-1.5 complain:-1.5 complaint:-1.5
    complaints:-1.5 cry:-2 crying:-2 died:-2 dead:-2 cancelled:-1 canceled:-1 rejected:-2 refused:-1.5
    risky:-1.5 danger:-2 dangerous:-2 weak:-1.5 wasted:-2 waste:-2 unacceptable:-3 mediocre:-1.5 regret:-2
    shame:-2 embarrassing:-2 dislike:-2 disgusting:-3 worthless:-3 sloppy:-1.5 hard:-0.5 headache:-2 fiasco:-3
    furious:-3 hell:-1.5 horrendous:-3 junk:-2 laggy:-1.5 mistake:-1.5 mistakes:-1.5 upsetting:-2 hating:-3
    sadness:-2 unhelpful:-2 unusable:-2.5 irritating:-2 irritated:-2 angry:-2.5 nervous:-1.5 tragic:-3
    """

    static let spanish = """
    bueno:2 buena:2 buenos:2 buenas:1 excelente:3 genial:3 perfecto:3 perfecta:3 increíble:3 maravilloso:3
    maravillosa:3 fantástico:3 fantástica:3 feliz:2.5 felices:2.5 contento:2 contenta:2 encanta:3 encantó:3
    gusta:2 gustó:2 amor:2 amo:3 bonito:2 bonita:2 hermoso:2.5 hermosa:2.5 mejor:2 gracias:1.5 útil:1.5
    fácil:1.5 funciona:1 funcionó:1.5 éxito:2.5 bien:1.5 guay:2 chévere:2 estupendo:3 estupenda:3 alegre:2
    divertido:2 divertida:2 orgulloso:2 orgullosa:2 agradable:2 encantado:2.5 encantada:2.5 felicidades:3
    enhorabuena:3 brutal:1.5 buenísimo:3 jaja:1 jajaja:1
    malo:-2.5 mala:-2.5 malos:-2.5 malas:-2.5 mal:-2 terrible:-3 horrible:-3 fatal:-2.5 peor:-2.5 pésimo:-3
    pésima:-3 odio:-3 triste:-2 enojado:-2.5 enojada:-2.5 enfadado:-2.5 enfadada:-2.5 molesto:-2 molesta:-2
    problema:-1.5 problemas:-1.5 error:-1.5 errores:-1.5 falla:-2 falló:-2 fallo:-2 roto:-2 rota:-2 lento:-1.5
    lenta:-1.5 aburrido:-2 aburrida:-2 difícil:-1.5 cansado:-1.5 cansada:-1.5 preocupado:-2 preocupada:-2
    miedo:-2 desastre:-3 asco:-3 decepcionado:-2.5 decepcionada:-2.5 frustrado:-2.5 frustrada:-2.5 inútil:-2.5
    lamentablemente:-1.5 desgraciadamente:-1.5 feo:-2 fea:-2 horrible:-3 harto:-2 harta:-2 droga:-1.5
    """

    static let french = """
    bon:2 bonne:2 bien:1.5 excellent:3 excellente:3 génial:3 géniale:3 super:2.5 parfait:3 parfaite:3
    magnifique:3 merveilleux:3 merveilleuse:3 formidable:3 incroyable:3 heureux:2.5 heureuse:2.5 content:2
    contente:2 ravi:2.5 ravie:2.5 aime:2 adore:3 adoré:3 plaisir:2 merci:1.5 beau:2 belle:2 sympa:2
    chouette:2 meilleur:2 meilleure:2 réussi:2 succès:2.5 facile:1.5 marche:1 fonctionne:1 bravo:2.5 drôle:1.5
    agréable:2 utile:1.5 félicitations:3 impeccable:3 mdr:1 top:0
    mauvais:-2.5 mauvaise:-2.5 mal:-2 terrible:-3 horrible:-3 nul:-2.5 nulle:-2.5 pire:-3 déteste:-3 triste:-2
    fâché:-2.5 fâchée:-2.5 énervé:-2.5 énervée:-2.5 énervant:-2 problème:-1.5 problèmes:-1.5 erreur:-1.5
    erreurs:-1.5 cassé:-2 cassée:-2 lent:-1.5 lente:-1.5 ennuyeux:-2 difficile:-1.5 fatigué:-1.5 fatiguée:-1.5
    inquiet:-2 inquiète:-2 peur:-2 catastrophe:-3 déçu:-2.5 déçue:-2.5 décevant:-2.5 dommage:-1.5
    malheureusement:-1.5 échec:-2.5 échoué:-2 inutile:-2 moche:-2 galère:-2 chiant:-2.5 marre:-2 pénible:-2
    """

    static let german = """
    gut:2 gute:2 guter:2 gutes:2 guten:0.5 toll:3 tolle:3 super:2.5 klasse:2.5 großartig:3 wunderbar:3
    fantastisch:3 ausgezeichnet:3 perfekt:3 schön:2 schöne:2 schönen:1.5 glücklich:2.5 froh:2 freue:2 freut:2
    liebe:2.5 lieben:2.5 danke:1.5 hilfreich:2 besser:1.5 beste:3 besten:2.5 erfolgreich:2.5 funktioniert:1
    geil:2.5 spannend:2 gelungen:2.5 zufrieden:2 lecker:2 nett:2 gefällt:2 herrlich:3 genial:3 cool:1.5
    schlecht:-2.5 schlechte:-2.5 schlechter:-2 schlimm:-2.5 furchtbar:-3 schrecklich:-3 mies:-2.5 blöd:-2
    doof:-2 hasse:-3 traurig:-2 wütend:-2.5 sauer:-2 ärgerlich:-2 nervig:-2 problem:-1.5 probleme:-1.5
    fehler:-1.5 kaputt:-2 langsam:-1.5 langweilig:-2 schwierig:-1.5 müde:-1.5 leider:-1.5 enttäuscht:-2.5
    enttäuschend:-2.5 katastrophe:-3 angst:-2 sorgen:-1.5 schlimmer:-2 schlimmste:-3 nutzlos:-2.5 hässlich:-2
    abgestürzt:-2 stürzt:-1.5 mist:-2 scheiße:-3 ärger:-2 stress:-2
    """

    static let portuguese = """
    bom:2 boa:2 bons:2 boas:1.5 ótimo:3 ótima:3 excelente:3 incrível:3 maravilhoso:3 maravilhosa:3 perfeito:3
    perfeita:3 lindo:2.5 linda:2.5 feliz:2.5 felizes:2.5 contente:2 adoro:3 amo:3 gosto:2 gostei:2.5 legal:1.5
    bacana:2 obrigado:1.5 obrigada:1.5 valeu:1.5 sucesso:2.5 fácil:1.5 funciona:1 funcionou:1.5 melhor:2 show:2
    massa:1.5 animado:2 animada:2 parabéns:3 útil:1.5 divertido:2 divertida:2 bem:1.5 demais:1 kkk:1 kkkk:1
    ruim:-2.5 péssimo:-3 péssima:-3 horrível:-3 terrível:-3 pior:-2.5 odeio:-3 triste:-2 chato:-2 chata:-2
    irritado:-2.5 irritada:-2.5 problema:-1.5 problemas:-1.5 erro:-1.5 erros:-1.5 quebrado:-2 quebrada:-2
    quebrou:-2 lento:-1.5 lenta:-1.5 difícil:-1.5 cansado:-1.5 cansada:-1.5 preocupado:-2 preocupada:-2 medo:-2
    desastre:-3 decepcionado:-2.5 decepcionada:-2.5 infelizmente:-1.5 inútil:-2.5 feio:-2 feia:-2 falhou:-2
    falha:-2 droga:-1.5 chateado:-2 chateada:-2
    """

    static let italian = """
    bene:1.5 buono:2 buona:2 ottimo:3 ottima:3 perfetto:3 perfetta:3 fantastico:3 fantastica:3 meraviglioso:3
    meravigliosa:3 stupendo:3 stupenda:3 felice:2.5 felici:2.5 contento:2 contenta:2 amo:3 adoro:3 piace:2
    piaciuto:2 piaciuta:2 grazie:1.5 bravo:2 brava:2 bravi:2 eccellente:3 magnifico:3 facile:1.5 utile:1.5
    funziona:1 divertente:2 carino:2 carina:2 figo:2 meglio:1.5 migliore:2 evviva:2.5 complimenti:2.5
    gentile:2 bello:2.5 bella:2.5 belle:2 splendido:3 ahah:1
    male:-2 brutto:-2 brutta:-2 terribile:-3 orribile:-3 pessimo:-3 pessima:-3 peggio:-2 peggiore:-2.5 odio:-3
    triste:-2 arrabbiato:-2.5 arrabbiata:-2.5 problema:-1.5 problemi:-1.5 errore:-1.5 errori:-1.5 rotto:-2
    rotta:-2 lento:-1.5 lenta:-1.5 noioso:-2 noiosa:-2 difficile:-1.5 stanco:-1.5 stanca:-1.5 preoccupato:-2
    preoccupata:-2 paura:-2 disastro:-3 deluso:-2.5 delusa:-2.5 purtroppo:-1.5 inutile:-2 schifo:-3
    fastidio:-2 peccato:-1.5 fallito:-2 guasto:-2
    """

    /// Emoji are keyed by their first scalar so variation selectors and skin tones do not matter.
    static let emoji = """
    😀:2 😃:2 😄:2 😁:2 😆:2 😊:2 🙂:1.5 😍:3 🥰:3 😘:2.5 😎:2 🤩:3 🥳:3 👍:2 👏:2 🙌:2.5 🎉:2.5 🎊:2.5
    ❤:2.5 💕:2.5 💖:2.5 💯:2 ✅:1.5 🔥:1.5 🚀:1.5 ✨:1.5 💪:1.5 😂:1.5 🤣:1.5 😅:0.5 😉:1 ☺:2 😇:2 🙏:1
    👌:2 ⭐:1.5 🌟:1.5 😋:2 💚:2.5 💙:2.5 🥂:2 🍾:2
    😢:-2 😭:-2.5 😞:-2 😔:-2 😟:-2 😕:-1.5 🙁:-1.5 ☹:-2 😠:-2.5 😡:-3 🤬:-3 😤:-2 👎:-2 💔:-2.5 😩:-2
    😫:-2 😣:-2 😖:-2 😰:-2 😱:-2 🤮:-3 🤦:-1.5 😒:-2 🙄:-1.5 😬:-1 ❌:-1.5 ⚠:-1 💩:-2 😓:-1.5 😥:-1.5
    😨:-2 🤢:-2.5 😪:-1
    """

    static let emoticons = """
    :):2 :-):2 :]:2 =):2 :d:2.5 :-d:2.5 xd:2 ;):1.5 ;-):1.5 :p:1 :-p:1 <3:2.5 ^^:1.5 ^_^:1.5
    :(:-2 :-(:-2 :[:-2 =(:-2 :'(:-2.5 :/:-1 :-/:-1 :\\:-1 :|:-0.5 :-|:-0.5 >:(:-2.5 </3:-2.5 d::-2
    """

    /// Every word, emoji and emoticon weight, merged; zero weights are dropped so they never count as signal.
    static let weights: [String: Double] = {
        var merged: [String: Double] = [:]
        for source in [italian, portuguese, german, french, spanish, english, emoji, emoticons] {
            merged.merge(table(source)) { _, new in new }
        }
        return merged.filter { $0.value != 0 }
    }()

    /// Words that flip the polarity of the next few words.
    static let negators = WordList.set("""
    not no never none nobody nothing neither nor without cannot cant dont doesnt didnt isnt wasnt arent werent
    wont wouldnt shouldnt couldnt havent hasnt hadnt aint nunca jamás ni nada nadie sin tampoco ne n' pas jamais
    rien aucun aucune sans nicht nie kein keine keinen keinem keiner niemals nichts ohne não nem ninguém sem non
    mai niente nessuno nessuna senza né
    """)

    /// Words that strengthen (or soften) the next sentiment word, with their factor.
    static let intensifiers = table("""
    very:1.5 really:1.4 so:1.3 extremely:1.8 totally:1.4 absolutely:1.6 quite:1.2 too:1.3 truly:1.4 highly:1.5
    pretty:1.2 super:1.5 incredibly:1.7 especially:1.3 slightly:0.6 somewhat:0.7 kinda:0.7 muy:1.5 tan:1.3
    súper:1.5 bastante:1.2 realmente:1.4 demasiado:1.3 très:1.5 vraiment:1.4 trop:1.4 tellement:1.5 sehr:1.5
    echt:1.4 wirklich:1.4 total:1.4 ziemlich:1.2 richtig:1.3 muito:1.5 muita:1.5 tão:1.3 molto:1.5 davvero:1.4
    tanto:1.3 troppo:1.3 proprio:1.3 veramente:1.4 così:1.3 assai:1.3
    """)

    /// Contrast words: the clause after them carries more weight than the one before.
    static let contrasts = WordList.set("but however pero sino mais cependant pourtant aber jedoch allerdings mas porém contudo ma però tuttavia")

    /// Pronouns and auxiliaries after which "like" is a verb of liking rather than a comparison.
    static let likeOpeners = WordList.set("i we you they really do dont don't didnt didn't would 'd also")
}
