// Stop-word lists written by hand for Parley (see docs/SUMMARY_DATA.md). Kept as plain strings so the
// compiler does not type-check thousands of literal elements.

/// Builds word sets from whitespace-separated lists; duplicates are harmless.
enum WordList {
    static func set(_ text: String) -> Set<String> {
        Set(text.split(whereSeparator: { $0.isWhitespace }).map { String($0) })
    }
}

/// Function words per language; removed before ranking keywords and building sentence vectors.
enum StopWords {
    static let english = WordList.set("""
    a about above across after afterwards again against all almost alone along already also although always am
    among an and another any anybody anyone anything anyway anywhere are aren't around as at away back be became
    because become been before beforehand behind being below beside besides between beyond both but by can can't
    cannot could couldn't did didn't do does doesn't doing don't done down during each either else elsewhere enough
    even ever every everybody everyone everything everywhere except few for from further get gets getting got gotten
    had hadn't has hasn't have haven't having he he'd he'll her here hers herself him himself his how however i i'd
    i'll i'm i've if in indeed instead into is isn't it it'll its itself just least less let let's like made make
    makes many may maybe me might mine more moreover most mostly much must mustn't my myself namely neither never
    nevertheless next no nobody none noone nor not nothing now nowhere of off often on once one ones only onto or
    other others otherwise ought our ours ourselves out over own per perhaps please quite rather really same seem
    seemed seems several shall shan't she she'd she'll should shouldn't since so some somebody someone something
    sometime sometimes somewhere still such than that that'll thats the their theirs them themselves then there
    thereby therefore these they they'd they'll they're they've thing things this those though through thus to
    together too toward towards under until up upon us very via was wasn't we we'd we'll we're we've were weren't
    what whatever when whenever where wherever whether which while who whoever whole whom whose why will with
    within without won't would wouldn't yet you you'd you'll you're you've your yours yourself yourselves
    im ive id ill youre dont doesnt didnt isnt wasnt cant wont wouldnt shouldnt couldnt arent werent havent hasnt
    ok okay oh hi hey hello yeah yes yep yup nope nah lol lmao haha hahaha hmm hm um uh well sure thanks thank
    thx ty pls plz btw imo imho tbh fyi afaik idk omg gonna wanna gotta kinda sorta guys guy folks everyone
    anyone someone said say says saying tell told think thought know knew see saw look looks looking want wants
    need needs go goes going went come comes coming came take takes took put give gave keep try trying
    also actually basically probably definitely literally right good great nice cool awesome bad
    today tomorrow yesterday tonight now later soon day days week weeks time times morning evening afternoon
    night last first next lot lots bit stuff little big able via etc e.g i.e vs
    """)

    static let spanish = WordList.set("""
    a al algo algunas algunos alguien ante antes aquel aquella aquellas aquellos aqui aquí así asi aun aún
    cada casi como cómo con contra cual cuál cuales cuando cuándo cuanto cuánto de del desde donde dónde dos el él
    ella ellas ellos en entre era eran eres es esa esas ese eso esos esta está estaba estaban estamos están estar
    estas este esto estos estoy fue fueron fui ha había habían han has hasta hay he la las le les lo los más mas
    me mi mí mis mucho muchos muy nada ni no nos nosotros nuestra nuestro nuestras nuestros o os otra otro otras
    otros para pero poco por porque pues qué que quien quién quienes se sea sean ser será si sí sido sin sobre
    sois solo sólo somos son soy su sus también tampoco tan tanto te tenemos tener tengo tenía ti tiene tienen
    todo todos toda todas tu tú tus un una unas uno unos usted ustedes vosotros vuestra vuestro y ya yo
    hacer hace hago hizo hecho puede pueden puedo podemos debe deben debo voy va vamos van ir ver vez veces
    bueno bien vale sí claro hola gracias pues entonces luego ahora hoy mañana ayer aquí ahí allí eh oye
    jaja jajaja dale creo cree digo dice dicen sé sabe saber quiero quiere quieres tal alguna algún ningún ninguna
    mismo misma mientras según durante tras hacia cosa cosas día días semana
    """)

    static let french = WordList.set("""
    a à ai aie aient ainsi alors as au aucun aucune aujourd'hui auprès aura aurai auraient aurait aussi autre
    autres aux avaient avais avait avant avec avez aviez avions avoir avons ayant bon c' ça car ce ceci cela
    celle celles celui cependant ces cet cette ceux chaque chez ci comme comment d' dans de depuis des deux dois
    doit donc dont du elle elles en encore entre es est et étaient étais était été être eu eux fait faire fais
    faut fois hors ici il ils j' je jusqu' l' la là le les leur leurs lui m' ma mais me même mes moi moins mon
    n' ne ni non nos notre nous on ont ou où par parce pas peu peut peuvent peux plus pour pourquoi puis qu'
    quand que quel quelle quelles quels qui quoi s' sa sans se sera serait ses si sien soi soit sommes son sont
    sous suis sur t' ta te tes toi ton toujours tous tout toute toutes très tu un une vais va vers voici voilà
    vos votre vous y oui ouais ok d'accord merci salut bonjour bonsoir euh bah ben bref enfin alors voilà
    mdr lol trop vraiment juste déjà là-bas après demain hier maintenant quelque quelques chose choses rien
    personne beaucoup fais fait faites font dit dis dire sais sait savoir veux veut voulez vouloir vont aller
    allez allons vu voir jour jours semaine fois c'est est-ce
    """)

    static let german = WordList.set("""
    ab aber alle allem allen aller alles als also am an ander andere anderem anderen anderer anderes auch auf aus
    bei beim bin bis bist da dabei dadurch dafür dagegen daher damit dann darauf darum das dass daß dein deine
    dem den denn der des deshalb dessen dich die dies diese diesem diesen dieser dieses dir doch dort du durch ein
    eine einem einen einer eines einige einmal er es etwas euch euer eure für gegen gewesen hab habe haben hat
    hatte hätte hier hin hinter ich ihm ihn ihnen ihr ihre im in indem ins ist ja jede jedem jeden jeder jedes
    jetzt kann kannst können könnte machen mag man mehr mein meine mich mir mit muss musst müssen nach nicht nichts
    noch nun nur ob oder ohne sehr sein seine sich sie sind so solche soll sollen sollte sondern sonst über um und
    uns unser unsere unter viel vom von vor war wäre waren warst was weil weiter welche welchem welchen welcher
    welches wenn wer werde werden wie wieder will wir wird wirst wo wollen wollte würde würden zu zum zur zwar
    zwischen okay ok ja nein danke bitte hallo hi tschüss genau gut halt mal eben eigentlich schon wohl ach äh
    naja also klar heute morgen gestern gerade bald immer nie oft sehr ganz geht gehen gibt machen macht gemacht
    sagen sagt gesagt sehen sieht weiß wissen glaube denke finde tag tage woche mal haha lol kein keine keinen
    """)

    static let portuguese = WordList.set("""
    a à ao aos aquela aquelas aquele aqueles aquilo as às até com como contra da das de dela delas dele deles
    depois do dos e é ela elas ele eles em entre era eram essa essas esse esses esta está estamos estão estar
    estas estava estavam este estes estou eu foi fomos for foram fui há isso isto já la lá lhe lhes lo mais mas
    me mesmo meu meus minha minhas muito muitos na nas não nem no nos nós nossa nossas nosso nossos num numa o os
    ou para pela pelas pelo pelos por porque qual quando que quem se sem ser será seu seus sim só sobre sua suas
    também te tem têm temos tenho ter teu tua tudo um uma umas uns você vocês vos vou vai vamos vão ir fazer faz
    fez feito pode podem posso podemos deve devem preciso precisa ver tá tô pra pro né então agora hoje amanhã
    ontem aqui ali aí olá oi obrigado obrigada valeu beleza bom bem kkk kkkk haha acho sei sabe quero quer
    coisa coisas dia dias semana vez vezes algum alguma alguns algumas nenhum nenhuma cada outro outra outros
    outras ainda sempre nunca onde enquanto durante tão tanto
    """)

    static let italian = WordList.set("""
    a ad agli ai al alla alle allo anche ancora avere aveva avevano avete abbiamo ci che chi come con contro cui
    da dai dal dalla dalle dallo degli dei del della delle dello di dove e è ed era erano essere fa fare fatto
    gli ha hai hanno ho i il in io la le lei li lo loro lui ma me mi mia mie miei mio ne né nei nel nella nelle
    nello noi non nostra nostro nostri nostre o per perché però più poi qua quale quali qualcosa qualche quando
    quanto quella quelle quelli quello questa queste questi questo qui se sei senza si sì sia siamo siete sono
    sta stai stanno stato stesso su sua sue sui sul sulla suo suoi te ti tra tu tua tue tuo tuoi tutti tutto
    tutta tutte un una uno vi voi vostro vostra ok okay ciao grazie prego sì va bene beh boh allora quindi
    comunque dunque oggi domani ieri adesso ora già sempre mai molto poco tanto troppo po' po dell' l' un' c'
    sto vado andiamo fai faccio facciamo può posso possiamo devo deve dobbiamo voglio vuoi vuole so sai sa
    credo penso dire detto vedere visto cosa cose giorno giorni settimana volta volte ahah haha lol
    """)

    /// Lists by ISO code, for callers that know the language.
    static let byLanguage: [String: Set<String>] = [
        "en": english, "es": spanish, "fr": french, "de": german, "pt": portuguese, "it": italian,
    ]

    /// Every list merged, for text whose language is unknown.
    static let all: Set<String> = english.union(spanish).union(french).union(german).union(portuguese).union(italian)

    /// Per-language lists with English merged in, built once because chat mixes English into everything.
    private static let withEnglish: [String: Set<String>] = byLanguage.mapValues { $0.union(english) }

    /// The stop words to use for `language`; unknown languages get every list.
    static func forLanguage(_ language: String) -> Set<String> {
        withEnglish[language] ?? all
    }
}
